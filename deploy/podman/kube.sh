#!/usr/bin/env bash
# Runs the Kubernetes manifests of deploy/k8s under `podman kube play`, with the images of build-images.sh.
#   deploy/podman/kube.sh up     PostgreSQL and the S3 stand-in as the "external" services the manifests expect,
#                                the Secrets (as podman secrets), then the rendered manifests (render-k8s.py) in the
#                                order docs/deploy.md gives: orchestrator, tokens, dashboard and workers
#   deploy/podman/kube.sh down   remove the pods, secrets and network
# The API Service is published on 127.0.0.1:$DGGRN_KUBE_API_PORT (25080), the dashboard's on $DGGRN_KUBE_DASHBOARD_PORT
# (25090). Secrets are generated into $state_dir/kube/secrets.env (private) and never printed.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dir="$state_dir/kube"; net=dggrn-kube
api_port="${DGGRN_KUBE_API_PORT:-25080}"; dashboard_port="${DGGRN_KUBE_DASHBOARD_PORT:-25090}"
timeout_s="${DGGRN_PODMAN_TIMEOUT:-300}"
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
b64() { printf '%s' "$1" | base64 -w0; }
# podman 4.3's secretKeyRef reads a podman secret holding {"key": base64(value), ...}.
put_secret() {   # name key=value...
  local name=$1 json="{" sep=""; shift
  for kv in "$@"; do json+="$sep\"${kv%%=*}\":\"$(b64 "${kv#*=}")\""; sep=","; done
  podman secret rm "$name" >/dev/null 2>&1 || true
  printf '%s}' "$json" | podman secret create "$name" - >/dev/null
}
until_ok() {   # what, command...
  local what=$1 deadline=$(( $(date +%s) + timeout_s )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "kube: $what did not happen within ${timeout_s}s" >&2; return 1; }
    sleep 2
  done
  echo "kube: $what"
}
api_token() {   # name role: POST /api/tokens through the API Service with the admin token (header from a file)
  local hdr token="" deadline=$(( $(date +%s) + timeout_s )); hdr=$(mktemp); printf 'Authorization: Bearer %s\n' "$DGGRN_ADMIN_TOKEN" > "$hdr"
  # The proxy standing in for the Service counts a silo that refused connections while starting as failed for 10 s
  # (max_fails=1 fail_timeout=10s), so a request right after start-up can find "no live upstreams" (502): ask again.
  until token=$(curl -fsS -H @"$hdr" -H 'Content-Type: application/json' -d "{\"name\":\"$1\",\"role\":\"$2\"}" \
                  "http://127.0.0.1:$api_port/api/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p') && [ -n "$token" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 2
  done
  rm -f "$hdr"; printf '%s' "$token"
}
two_silos() { curl -fsS -H @"$1" "http://127.0.0.1:$api_port/api/cluster" | grep -o '"status":"Active"' | wc -l | grep -qx 2; }

case "${1:-}" in
  up)
    for image in postgres:15-debian s3-standin:s3rver-3.7.1 nginx:1.22-debian orchestrator:$version dashboard:$version worker:$version-cpu; do
      podman image exists "$registry/$image" || { echo "kube: $registry/$image is missing: run deploy/podman/build-images.sh" >&2; exit 1; }
    done
    mkdir -p "$dir"; chmod 700 "$dir"
    if [ ! -f "$dir/secrets.env" ]; then
      (umask 077; printf 'PG_PASSWORD=%s\nS3_ROOT_PASSWORD=%s\nS3_SECRET=%s\nDGGRN_ADMIN_TOKEN=%s\n' "$(secret)" "$(secret)" "$(secret)" "$(secret)" > "$dir/secrets.env")
    fi
    . "$dir/secrets.env"
    podman network exists "$net" || podman network create "$net" >/dev/null
    # The services the manifests expect outside the cluster (config.yaml, secrets.example.yaml): PostgreSQL and S3.
    cat > "$dir/external.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: postgres}
spec:
  containers:
    - name: postgres
      image: $registry/postgres:15-debian
      env: [{name: POSTGRES_USER, value: dggrn}, {name: POSTGRES_DB, value: dggrn}, {name: POSTGRES_PASSWORD, valueFrom: {secretKeyRef: {name: dggrn-external, key: pg-password}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: minio}
spec:
  containers:
    - name: s3
      image: $registry/s3-standin:s3rver-3.7.1
      args: [server, /data]
      env: [{name: MINIO_ROOT_USER, value: dggrn-admin}, {name: MINIO_ROOT_PASSWORD, valueFrom: {secretKeyRef: {name: dggrn-external, key: s3-root-password}}},
            {name: DGGRN_S3_ACCESS_KEY, value: dggrn-lab}, {name: DGGRN_S3_SECRET_KEY, valueFrom: {secretKeyRef: {name: dggrn-external, key: s3-secret}}}]
YAML
    put_secret dggrn-external "pg-password=$PG_PASSWORD" "s3-root-password=$S3_ROOT_PASSWORD" "s3-secret=$S3_SECRET"
    podman kube play --network "$net" "$dir/external.yaml" >"$dir/play-external.log" 2>&1 || { cat "$dir/play-external.log"; exit 1; }
    until_ok "postgres ready" podman exec postgres-postgres pg_isready -U dggrn -d dggrn
    until_ok "S3 stand-in ready" podman exec minio-s3 mc ready local
    # docs/deploy.md, step 1: the bucket (the stand-in already knows the key; see images/s3).
    P="$S3_ROOT_PASSWORD" podman exec -e P minio-s3 sh -c 'mc alias set lab http://127.0.0.1:9000 dggrn-admin "$P" >/dev/null && mc mb --ignore-existing lab/dggrn' >/dev/null
    # Step 2: the Secrets of secrets.example.yaml, filled in.
    put_secret dggrn-postgres "connection-string=Host=postgres;Port=5432;Database=dggrn;Username=dggrn;Password=$PG_PASSWORD"
    put_secret dggrn-minio "access-key=dggrn-lab" "secret-key=$S3_SECRET"
    put_secret dggrn-tokens "admin=$DGGRN_ADMIN_TOKEN" "dashboard=not-yet" "worker=not-yet"
    # Steps 3-4: the manifests, rendered for podman.
    /usr/bin/python3 "$podman_dir/render-k8s.py" "$repo_root/deploy/k8s" "$dir" "$registry" "$api_port" "$dashboard_port"
    podman kube play --network "$net" "$dir/orchestrator.yaml" >"$dir/play-orchestrator.log" 2>&1 || { cat "$dir/play-orchestrator.log"; exit 1; }
    hdr=$(mktemp); printf 'Authorization: Bearer %s\n' "$DGGRN_ADMIN_TOKEN" > "$hdr"
    until_ok "two silos active in one cluster (API Service on 127.0.0.1:$api_port)" two_silos "$hdr"
    rm -f "$hdr"
    # The readiness probe, which podman does not run: the proxy pod standing in for the Service sends requests to
    # every silo pod, not only to ready ones, so wait until each answers GET /health.
    for pod in $(podman pod ps --format '{{.Name}}' | grep '^dggrn-orchestrator-pod-' | sort); do
      until_ok "$pod ready (GET /health)" podman exec "$pod-silo" bash -c \
        'exec 3<>/dev/tcp/127.0.0.1/5080 && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
    done
    # Step 5: worker and dashboard tokens into dggrn-tokens, then the pods that use them.
    worker=$(api_token kube-workers worker); dashboard=$(api_token kube-dashboard submitter)
    [ -n "$worker" ] && [ -n "$dashboard" ] || { echo "kube: creating the service tokens failed" >&2; exit 1; }
    put_secret dggrn-tokens "admin=$DGGRN_ADMIN_TOKEN" "dashboard=$dashboard" "worker=$worker"
    podman kube play --network "$net" "$dir/apps.yaml" >"$dir/play-apps.log" 2>&1 || { cat "$dir/play-apps.log"; exit 1; }
    until_ok "dashboard healthy (Service on 127.0.0.1:$dashboard_port)" curl -fsS "http://127.0.0.1:$dashboard_port/health"
    echo "kube: up. API http://127.0.0.1:$api_port, dashboard http://127.0.0.1:$dashboard_port"
    ;;
  down)
    for f in apps orchestrator external; do
      [ -f "$dir/$f.yaml" ] && podman kube down "$dir/$f.yaml" >/dev/null 2>&1 || true
    done
    # Pods a failed play left behind (kube down removes only what its file names).
    podman pod ps --format '{{.Name}}' | grep -E '^(postgres|minio|dggrn-(orchestrator|dashboard|worker)(-pod-[0-9]+)?)$' | xargs -r podman pod rm -f >/dev/null 2>&1 || true
    for s in dggrn-tokens dggrn-minio dggrn-postgres dggrn-external; do podman secret rm "$s" >/dev/null 2>&1 || true; done
    podman network rm "$net" >/dev/null 2>&1 || true
    rm -rf "$dir"
    echo "kube: down"
    ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
