#!/usr/bin/env bash
# Installs Debian's docker.io (and debootstrap) if missing and starts dockerd with no bridge
# network and no iptables: containers get no network at all. Idempotent.
set -euo pipefail
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
fi
if docker info >/dev/null 2>&1; then
  exit 0
fi
mkdir -p /var/log
setsid nohup dockerd --bridge=none --iptables=false >/var/log/leaderboard-dockerd.log 2>&1 &
for _ in $(seq 30); do
  docker info >/dev/null 2>&1 && { echo "dockerd ready"; exit 0; }
  sleep 1
done
echo "dockerd did not start; see /var/log/leaderboard-dockerd.log" >&2
exit 1
