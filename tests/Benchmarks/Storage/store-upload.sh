#!/usr/bin/env bash
# Benchmark: checkpoint upload throughput of the worker against raw PUT throughput of the same S3 server.
#   tests/Benchmarks/Storage/store-upload.sh [SIZE_MIB] [REPEAT]
# Starts a private patched s3rver (deploy/local) unless DGGRN_BENCH_S3_ENDPOINT (host:port) names a server
# (keys DGGRN_BENCH_S3_ACCESS_KEY/_SECRET_KEY) or MINIO_ENDPOINT does (keys as tests/s3-target.sh reads them). Raw PUT = one curl PUT signed with SigV4 per object, timed by curl and
# alternated with the worker's uploads inside `dggrn bench store-upload --curl` so both meet the same server state.
# Needs the built benchmarks: dotnet build tests/Benchmarks -c Release (honours DGGRN_ARTIFACTS).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
size=${1:-64}; repeat=${2:-5}
art=${DGGRN_ARTIFACTS:-$root/artifacts}
bench="$art/bin/Dggrn.Benchmarks/release_linux-x64/dggrn-bench.dll"
[ -f "$bench" ] || { echo "store-upload.sh: $bench missing: build tests/Benchmarks in Release first (./dggrn bench does)" >&2; exit 1; }
work=$(mktemp -d /tmp/dggrn-bench.XXXXXX)
cleanup() { [ -n "${s3_pid:-}" ] && kill "$s3_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
endpoint=${DGGRN_BENCH_S3_ENDPOINT:-}
access=${DGGRN_BENCH_S3_ACCESS_KEY:-S3RVER}; secret=${DGGRN_BENCH_S3_SECRET_KEY:-S3RVER}
if [ -z "$endpoint" ] && [ -n "${MINIO_ENDPOINT:-}" ]; then
  unset DGGRN_TEST_S3_ENDPOINT
  . "$root/tests/s3-target.sh"
  s3_target_from_minio || exit 1
  endpoint=$DGGRN_TEST_S3_ENDPOINT; access=$DGGRN_TEST_S3_ACCESS_KEY; secret=$DGGRN_TEST_S3_SECRET_KEY
fi
if [ -z "$endpoint" ]; then
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  mkdir -p "$work/s3"
  node --openssl-legacy-provider "$root/deploy/local/.tools/node_modules/s3rver/bin/s3rver.js" -d "$work/s3" -a 127.0.0.1 -p "$port" -s >"$work/s3.log" 2>&1 &
  s3_pid=$!
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  endpoint=127.0.0.1:$port
fi
bucket=bench$RANDOM
curl -sf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" -u "$access:$secret" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://$endpoint/$bucket" >/dev/null
CheckpointStore__Kind=S3 CheckpointStore__Endpoint=$endpoint CheckpointStore__AccessKey=$access CheckpointStore__SecretKey=$secret \
  CheckpointStore__Bucket=$bucket dotnet "$bench" store-upload --size-mib "$size" --repeat "$repeat" --curl
