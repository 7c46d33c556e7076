#!/usr/bin/env bash
# Installs s3rver 3.7.1 into deploy/local/.tools and patches three defects that break the Minio SDK:
# (1) wrong XML namespace (ListObjects silently returns nothing), (2) CopyObject source not decoded
# with decodeURIComponent, (3) multi-delete clean-up race returning 500 on ENOENT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/.tools"
pkg="$tools/node_modules/s3rver"
if [ ! -f "$pkg/.dggrn-patched" ]; then
  mkdir -p "$tools"
  echo "install-s3rver: npm install s3rver@3.7.1"
  (cd "$tools" && npm install --silent --no-audit --no-fund --prefix "$tools" s3rver@3.7.1 >/dev/null)
  # (1) namespace
  grep -rl 'http://doc.s3.amazonaws.com/2006-03-01/' "$pkg/lib" | xargs -r sed -i 's#http://doc.s3.amazonaws.com/2006-03-01/#http://s3.amazonaws.com/doc/2006-03-01/#g'
  # (2) copy source decoding
  grep -rl 'decodeURI(' "$pkg/lib" | xargs -r sed -i 's/decodeURI(/decodeURIComponent(/g'
  # (3) ENOENT during directory clean-up after deletes
  node "$here/patch-s3rver-enoent.js" "$pkg"
  touch "$pkg/.dggrn-patched"
fi
