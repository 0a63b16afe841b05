#!/usr/bin/env bash
# Builds the offline base image (Debian bookworm, its Python 3.11 and venv) with debootstrap
# and `docker import`, for machines with no container registry. With a registry, pass
# BASE_IMAGE=python:3.11-slim-bookworm to the image builds instead and skip this.
#   eval_images/base/build_base.sh [TAG]
set -euo pipefail
TAG=${1:-leaderboard/base:bookworm-py311}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG already present"; exit 0
fi
root=$(mktemp -d /tmp/leaderboard-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" "$MIRROR" >/tmp/debootstrap.log 2>&1 \
  || { tail -20 /tmp/debootstrap.log; exit 1; }
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import \
  --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' - "$TAG" >/dev/null
echo "built base image $TAG"
