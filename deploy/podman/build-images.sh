#!/usr/bin/env bash
# Builds every image of the compose stack and the Kubernetes manifests on a machine without registry access,
# from Debian's packages only, then prints their sizes:
#   debian-base (debootstrap) -> dotnet-aspnet (the host SDK's shared runtimes; stand-in for the aspnet image)
#   -> orchestrator, dashboard, worker (CPU)   the real Dockerfiles of deploy/docker, with the app published
#                                              here (`dotnet publish`, TorchSharp patch included) instead of
#                                              in the SDK image, which cannot be pulled
#   postgres (Debian's PostgreSQL 15), nginx (Debian's 1.22), s3-standin (s3rver: NOT MinIO, see docs/deploy.md)
# Usage: deploy/podman/build-images.sh [--rebuild-base]
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_podman
t0=$(date +%s)
step() { echo "build-images: $1 ($(( $(date +%s) - t0 )) s)"; }
build() { local log="$state_dir/build-$1.log"; shift
  podman build --layers "$@" >"$log" 2>&1 || { tail -30 "$log"; echo "build-images: failed, see $log" >&2; exit 1; }; }

bash "$podman_dir/base-image.sh" ${1:+--rebuild}

# The runtime version is the one the upstream runtime image names (deploy/docker/*/Dockerfile, RUNTIME_IMAGE).
runtime_version=$(sed -n 's#^ARG RUNTIME_IMAGE=.*aspnet:\(.*\)$#\1#p' "$repo_root/deploy/docker/orchestrator/Dockerfile")
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  [ -d "$dotnet_root/shared/$fw/$runtime_version" ] || { echo "build-images: $fw $runtime_version is not installed in $dotnet_root (the upstream image pins it)" >&2; exit 1; }
done
runtime_image="localhost/dotnet-aspnet:$runtime_version"
stage="$state_dir/stage"; rm -rf "$stage"; mkdir -p "$stage/dotnet/dotnet/shared" "$state_dir/empty"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$stage/dotnet/dotnet/"
for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  mkdir -p "$stage/dotnet/dotnet/shared/$fw"; cp -a "$dotnet_root/shared/$fw/$runtime_version" "$stage/dotnet/dotnet/shared/$fw/"
done
cp "$podman_dir/images/dotnet/Containerfile" "$stage/dotnet/"
build dotnet -f "$stage/dotnet/Containerfile" --build-arg BASE_IMAGE="$base_image" -t "$runtime_image" "$stage/dotnet"
step "$runtime_image"

# The three .NET services: published on this host, then the deploy/docker Dockerfiles with PUBLISHED pointing at it.
publish() {   # project file, output name
  local log="$state_dir/publish-$2.log"
  (cd "$repo_root" && dotnet publish "$1" -c Release -nologo -v q -clp:ErrorsOnly -o "$state_dir/publish/$2") >"$log" 2>&1 \
    || { tail -30 "$log"; echo "build-images: dotnet publish $1 failed" >&2; exit 1; }
}
for svc in src/Orchestrator/Cli/Dggrn.Cli.csproj:orchestrator src/Dashboard/Dggrn.Dashboard.csproj:dashboard src/Worker/Dggrn.Worker.csproj:worker; do
  project=${svc%%:*} name=${svc##*:}
  tag="$version"; [ "$name" = worker ] && tag="$version-cpu"
  rm -rf "$state_dir/publish/$name"; publish "$project" "$name"
  printf 'FROM scratch\nCOPY . /app/\n' > "$state_dir/Containerfile.published"
  build "$name-published" -f "$state_dir/Containerfile.published" -t "localhost/dggrn-published/$name:$tag" "$state_dir/publish/$name"
  # The context is empty: with PUBLISHED set, the Dockerfile's SDK build stage is skipped and copies nothing.
  build "$name" -f "$repo_root/deploy/docker/$name/Dockerfile" \
    --build-arg SDK_IMAGE="$base_image" --build-arg RUNTIME_IMAGE="$runtime_image" \
    --build-arg PUBLISHED="localhost/dggrn-published/$name:$tag" --build-arg TORCH_VARIANT=cpu \
    -t "$registry/$name:$tag" "$state_dir/empty"
  podman rmi "localhost/dggrn-published/$name:$tag" >/dev/null
  step "$registry/$name:$tag"
done

# The services compose and the manifests expect beside the platform, from Debian packages.
build postgres -f "$podman_dir/images/postgres/Containerfile" --build-arg BASE_IMAGE="$base_image" -t "$registry/postgres:15-debian" "$podman_dir/images/postgres"
step "$registry/postgres:15-debian"
build nginx -f "$podman_dir/images/nginx/Containerfile" --build-arg BASE_IMAGE="$base_image" -t "$registry/nginx:1.22-debian" "$podman_dir/images/nginx"
step "$registry/nginx:1.22-debian"
bash "$repo_root/deploy/local/install-s3rver.sh"
rm -rf "$stage/s3"; mkdir -p "$stage/s3"
cp -a "$repo_root/deploy/local/.tools/node_modules" "$stage/s3/"
cp "$podman_dir/images/s3/"* "$stage/s3/"
build s3 -f "$stage/s3/Containerfile" --build-arg BASE_IMAGE="$base_image" -t "$registry/s3-standin:s3rver-3.7.1" "$stage/s3"
step "$registry/s3-standin:s3rver-3.7.1 (stand-in for MinIO)"
podman image prune -f >/dev/null

echo "build-images: done in $(( $(date +%s) - t0 )) s; sizes:"
for image in "$base_image" "$runtime_image" "$registry/orchestrator:$version" "$registry/dashboard:$version" "$registry/worker:$version-cpu" \
             "$registry/postgres:15-debian" "$registry/nginx:1.22-debian" "$registry/s3-standin:s3rver-3.7.1"; do
  printf '  %-45s %s\n' "$image" "$(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
done
