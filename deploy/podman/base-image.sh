#!/usr/bin/env bash
# Makes localhost/debian-base:bookworm, the base of every image built here, from Debian's own packages:
# debootstrap (minbase) from the mirror apt uses, imported into podman. No container registry is needed.
# Idempotent: does nothing when the image exists (pass --rebuild to make it again).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_podman
if [ "${1:-}" != --rebuild ] && podman image exists "$base_image"; then echo "base: $base_image exists"; exit 0; fi
root="$state_dir/rootfs"
as_root rm -rf "$root"; mkdir -p "$state_dir"
start=$(date +%s)
as_root debootstrap --variant=minbase bookworm "$root" "$(debian_mirror)" > "$state_dir/debootstrap.log" 2>&1 \
  || { tail -20 "$state_dir/debootstrap.log"; exit 1; }
# Debian's sources as this host has them (with the updates and security suites), so images get security fixes.
[ -f /etc/apt/sources.list.d/debian.sources ] && as_root cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" \
  && as_root rm -f "$root/etc/apt/sources.list"
as_root rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
as_root tar -C "$root" -c . | podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null 2>&1
as_root rm -rf "$root"
echo "base: $base_image built in $(( $(date +%s) - start )) s"
