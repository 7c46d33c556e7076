# Sourced by the scripts of deploy/podman: the engine set-up they share. Not run on its own.
# Podman on a VM like the one this project is built on needs runc (crun refuses hybrid cgroups), the cgroupfs
# manager, and default ulimits at or below the hard limits (the VM does not let a process raise them).
# These go into a containers.conf drop-in once, so plain `podman` and `podman-compose` commands work as well.
set -euo pipefail
podman_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$podman_dir/../.." && pwd)"
# Work files (the debootstrap root, publish output, generated secrets) live outside the repository.
state_dir="${DGGRN_PODMAN_STATE:-/var/tmp/dggrn-podman}"
mkdir -p "$state_dir" && chmod 700 "$state_dir"   # generated settings and logs hold secrets
version="${DGGRN_VERSION:-0.1.0}"
registry="${DGGRN_REGISTRY:-localhost/dggrn}"
base_image="localhost/debian-base:bookworm"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs podman and friends from Debian when missing (idempotent).
ensure_podman() {
  local need=()
  command -v podman >/dev/null || need+=(podman)
  command -v podman-compose >/dev/null || need+=(podman-compose)
  command -v runc >/dev/null || need+=(runc)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  if [ ${#need[@]} -gt 0 ]; then
    echo "podman: installing ${need[*]} from Debian packages"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  local conf=/etc/containers/containers.conf.d/50-dggrn.conf
  if [ ! -f "$conf" ]; then
    as_root mkdir -p "$(dirname "$conf")"
    as_root tee "$conf" >/dev/null <<CONF
# Written by deploy/podman/common.sh (DGGRN Lab). runc + cgroupfs: crun cannot run on hybrid cgroups;
# ulimits at or below this machine's hard limits, which containers cannot raise.
[containers]
default_ulimits = ["nofile=$(( $(ulimit -Hn) < 1024 ? $(ulimit -Hn) : 1024 )):$(( $(ulimit -Hn) < 1024 ? $(ulimit -Hn) : 1024 ))", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
    echo "podman: wrote $conf"
  fi
}

# The Debian mirror apt already uses (first deb URI of the bookworm sources).
debian_mirror() {
  local m
  m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | awk '{print $2}' | head -1 || true)
  [ -n "$m" ] || { echo "podman: no Debian mirror found in apt's sources" >&2; return 1; }
  echo "$m"
}
