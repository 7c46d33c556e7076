#!/usr/bin/env bash
# The test command. Installs what the tests need when missing (PostgreSQL, chromium, s3rver),
# starts a private PostgreSQL and an S3-protocol server on 127.0.0.1 (s3rver; or MinIO when MINIO_ENDPOINT,
# MINIO_ACCESS_KEY and MINIO_SECRET_KEY name one: see tests/s3-target.sh), builds, runs every test project,
# stops the servers and ends with the plain line "N passed, M failed".
#
#   tests/run.sh [--no-real-data] [--long] [--containers] [--filter EXPR] [--project NAME]... [--scorecard]
#     --no-real-data  leave out tests that read the real MRI volumes (DGGRN_MRI_DATA, default ../shared/data/mri)
#     --long          also run the long tests (Category=Long; e.g. fault-injection across many epochs)
#     --containers    run ONLY the container tests (Category=Containers in Deploy.Tests): installs podman, builds every
#                     image from a debootstrap base, runs deploy/compose and deploy/k8s under podman (8 to 15 min)
#     --filter EXPR   extra dotnet test filter
#     --project NAME  run only these test projects (e.g. Model.Tests)
#     --scorecard     also write the reliability scorecard of this run to docs/reliability.md
#                     (it is always written to the results folder as reliability.md, by tools/scorecard.cs)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
filter="Category!=Long&Category!=Containers"; projects=(); real_data=1; extra_filter=""; scorecard=0; containers=0; invocation="tests/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
  case $1 in
    --no-real-data) real_data=0 ;;
    --long) filter="Category!=Containers" ;;
    --containers) containers=1 ;;
    --filter) extra_filter=$2; shift ;;
    --project) projects+=("$2"); shift ;;
    --scorecard) scorecard=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "tests/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# The container tests fail loudly without podman rather than skip: deploy/podman installs it (Debian packages).
if [ $containers = 1 ]; then
  filter="Category=Containers"; real_data=0; projects=(Deploy.Tests)
  (. deploy/podman/common.sh && ensure_podman) || { echo "tests/run.sh: installing podman failed"; echo "0 passed, 1 failed"; exit 1; }
fi
if [ $real_data = 0 ]; then filter="${filter:+$filter&}Category!=RealData"
else
  export DGGRN_MRI_DATA="${DGGRN_MRI_DATA:-$root/../shared/data/mri}"
  [ -d "$DGGRN_MRI_DATA" ] || { echo "tests/run.sh: real MRI data folder $DGGRN_MRI_DATA is missing (set DGGRN_MRI_DATA or pass --no-real-data)"; echo "0 passed, 1 failed"; exit 1; }
fi
[ -n "$extra_filter" ] && filter="${filter:+$filter&}$extra_filter"
all_projects=0
[ ${#projects[@]} -eq 0 ] && all_projects=1 && projects=(Model.Tests Orchestrator.Tests Worker.Tests Dashboard.Tests Deploy.Tests EndToEnd.Tests)

bash deploy/local/install-deps.sh all || { echo "tests/run.sh: installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d /tmp/dggrn-tests.XXXXXX); chmod 755 "$work"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
cleanup() {
  [ -n "${s3_pid:-}" ] && kill "$s3_pid" 2>/dev/null
  bash deploy/local/postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port)
bash deploy/local/postgres.sh start "$work/pg" "$pg_port" test || { echo "tests/run.sh: PostgreSQL did not start"; cat "$work/pg/server.log" 2>/dev/null | tail -20; echo "0 passed, 1 failed"; exit 1; }
export DGGRN_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Pooling=true"

. tests/s3-target.sh
s3_target_from_minio || { echo "tests/run.sh: no S3 server to test against"; echo "0 passed, 1 failed"; exit 1; }
if [ -n "${DGGRN_TEST_S3_ENDPOINT:-}" ]; then echo "tests/run.sh: S3 tests against $DGGRN_TEST_S3_ENDPOINT"
else
  s3_port=$(free_port); mkdir -p "$work/s3"
  node --openssl-legacy-provider deploy/local/.tools/node_modules/s3rver/bin/s3rver.js -d "$work/s3" -a 127.0.0.1 -p "$s3_port" -s >"$work/s3.log" 2>&1 &
  s3_pid=$!
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$s3_port) 2>/dev/null && break; sleep 0.1; done
  export DGGRN_TEST_S3_ENDPOINT="127.0.0.1:$s3_port" DGGRN_TEST_S3_ACCESS_KEY=S3RVER DGGRN_TEST_S3_SECRET_KEY=S3RVER
fi
export DGGRN_TEST_CONFIGURATION=Release

if [ "$all_projects" = 1 ]; then targets=(DGGRN.sln); else targets=(); for p in "${projects[@]}"; do targets+=("tests/$p/Dggrn.$p.csproj"); done; fi
for t in "${targets[@]}"; do
  echo "tests/run.sh: building $t (Release)"
  if ! dotnet build "$t" -c Release -nologo -v q -clp:ErrorsOnly >"$work/build.log" 2>&1; then
    grep -E "error" "$work/build.log" | sort -u | head -40; echo "0 passed, 1 failed"; exit 1
  fi
done
art="${DGGRN_ARTIFACTS:-$root/artifacts}"
[ "$all_projects" = 1 ] && mkdir -p "$art" && touch "$art/.dggrn-build-stamp"   # ./dggrn reuses this build

results="${DGGRN_ARTIFACTS:-$root/artifacts}/test-results/run-$$"; mkdir -p "$results"
export DGGRN_TEST_RESULTS="$results"   # screenshots and other test artefacts land beside the trx files
status=0
for p in "${projects[@]}"; do
  echo "tests/run.sh: $p"
  args=(test "tests/$p/Dggrn.$p.csproj" -c Release --no-build -nologo --logger "trx;LogFileName=$p.trx" --results-directory "$results" --blame-hang-timeout 15m)
  [ -n "$filter" ] && args+=(--filter "$filter")
  dotnet "${args[@]}" 2>&1 | grep -vE "^\s*$" | tail -60
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
done

passed=0; failed=0
for t in "$results"/*.trx; do
  [ -f "$t" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$t" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
done
[ $status != 0 ] && [ $failed = 0 ] && failed=1   # a project that crashed or found no tests counts as a failure
# The reliability scorecard: fault tests ([Fault] in tests/Common) joined with this run's outcomes.
if compgen -G "$results/*.trx" >/dev/null; then
  if dotnet run tools/scorecard.cs -- --out "$results/reliability.md" --command "$invocation" "$results"/*.trx >"$work/scorecard.log" 2>&1; then
    [ $scorecard = 1 ] && cp "$results/reliability.md" docs/reliability.md && echo "tests/run.sh: scorecard written to docs/reliability.md"
  else
    echo "tests/run.sh: the scorecard could not be generated:"; tail -5 "$work/scorecard.log"
    [ $scorecard = 1 ] && failed=$((failed + 1))
  fi
fi
echo "test results: $results"
echo "$passed passed, $failed failed"
[ $status = 0 ] && [ $failed = 0 ]
