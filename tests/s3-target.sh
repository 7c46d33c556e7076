# Sourced by tests/run.sh and the upload benchmark: picks the S3-protocol server the tests talk to.
# MinIO (or any S3 server) named the way MinIO's own tools name it wins over the bundled s3rver:
#   MINIO_ENDPOINT      host:port or http://host:port (plain HTTP)
#   MINIO_ACCESS_KEY / MINIO_SECRET_KEY, or MINIO_ROOT_USER / MINIO_ROOT_PASSWORD
# An explicit DGGRN_TEST_S3_ENDPOINT (with DGGRN_TEST_S3_ACCESS_KEY / _SECRET_KEY) wins over both.
# On success DGGRN_TEST_S3_* are exported when a server was named; returns 1 with the reason on stderr otherwise.
s3_target_from_minio() {
  [ -n "${DGGRN_TEST_S3_ENDPOINT:-}" ] && return 0
  [ -z "${MINIO_ENDPOINT:-}" ] && return 0
  local ep=${MINIO_ENDPOINT%/} access=${MINIO_ACCESS_KEY:-${MINIO_ROOT_USER:-}} secret=${MINIO_SECRET_KEY:-${MINIO_ROOT_PASSWORD:-}}
  case $ep in
    https://*) echo "MINIO_ENDPOINT=$MINIO_ENDPOINT: the tests talk plain HTTP; give the server's http:// address or host:port" >&2; return 1 ;;
    http://*) ep=${ep#http://} ;;
    *://*) echo "MINIO_ENDPOINT=$MINIO_ENDPOINT: expected host:port or http://host:port" >&2; return 1 ;;
  esac
  case $ep in
    *:*) ;;
    *) echo "MINIO_ENDPOINT=$MINIO_ENDPOINT: expected host:port (no port given)" >&2; return 1 ;;
  esac
  if [ -z "$access" ] || [ -z "$secret" ]; then
    echo "MINIO_ENDPOINT is set but its keys are not: set MINIO_ACCESS_KEY and MINIO_SECRET_KEY (or MINIO_ROOT_USER and MINIO_ROOT_PASSWORD)" >&2
    return 1
  fi
  if ! (exec 3<>"/dev/tcp/${ep%:*}/${ep##*:}") 2>/dev/null; then
    echo "MINIO_ENDPOINT=$MINIO_ENDPOINT: nothing accepts connections at $ep" >&2
    return 1
  fi
  export DGGRN_TEST_S3_ENDPOINT=$ep DGGRN_TEST_S3_ACCESS_KEY=$access DGGRN_TEST_S3_SECRET_KEY=$secret
}
