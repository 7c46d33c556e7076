#!/bin/bash
# nginx 1.22 (Debian 12) has no `server NAME resolve` (nginx 1.27.3), and without it nginx refuses to start while an
# upstream name does not resolve (a silo that is down). This keeps the servers of the upstream in
# /run/nginx-upstream.conf (included by the site configuration) equal to the addresses that the names in
# DGGRN_PROXY_UPSTREAM ("name:port ...") resolve to now, re-resolving every few seconds and reloading nginx on a
# change, as `resolve` does. Without DGGRN_PROXY_UPSTREAM it is plain nginx.
set -u
[ -n "${DGGRN_PROXY_UPSTREAM:-}" ] || exec nginx -g 'daemon off;'
servers() {
  local t ip out=""
  for t in $DGGRN_PROXY_UPSTREAM; do
    ip=$(getent ahostsv4 "${t%:*}" | awk '{print $1; exit}')
    [ -n "$ip" ] && out+="server $ip:${t##*:} max_fails=1 fail_timeout=10s;"$'\n'
  done
  # No name resolves: a placeholder that answers 502 until one does.
  echo "${out:-server 127.0.0.1:9 down;}"
}
current=$(servers); printf '%s\n' "$current" > /run/nginx-upstream.conf
nginx -g 'daemon off;' & nginx_pid=$!
trap 'kill -QUIT "$nginx_pid" 2>/dev/null; wait "$nginx_pid"; exit 0' TERM QUIT INT
while kill -0 "$nginx_pid" 2>/dev/null; do
  sleep 3 & wait $!
  next=$(servers)
  if [ "$next" != "$current" ]; then
    printf '%s\n' "$next" > /run/nginx-upstream.conf; current=$next
    echo "resolving-proxy: upstream now $(tr '\n' ' ' <<<"$next")"
    kill -HUP "$nginx_pid"
  fi
done
wait "$nginx_pid"
