#!/usr/bin/env bash
# Installs what the platform and its tests need on Debian when it is missing:
# PostgreSQL (server binaries), chromium (browser tests), and the s3rver npm package (S3-protocol
# server for tests, patched for the defects listed in docs/decisions.md). Idempotent; prints what it does.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
want_chromium=${1:-all}

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ "$want_chromium" = all ]; then command -v chromium >/dev/null 2>&1 || need+=(chromium); fi
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]} from Debian packages"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ "$want_chromium" = all ]; then
  "$here/install-s3rver.sh"
fi
