#!/usr/bin/env bash
# Installs the Debian packages the platform needs, only those missing. Idempotent.
#   scripts/system_packages.sh run    what `make run` needs (the code sandbox: bubblewrap)
#   scripts/system_packages.sh test   plus Docker, the browser, and the cluster test's services
#   scripts/system_packages.sh bench  plus wrk, the API load generator (bench/api_load.py)
set -euo pipefail
profile=${1:-run}
# command that proves the package is there -> Debian package
declare -A wanted=([bwrap]=bubblewrap)
if [[ $profile == test || $profile == bench ]]; then
  wanted+=([dockerd]=docker.io [debootstrap]=debootstrap [chromium]=chromium
           [docker-compose]=docker-compose [redis-server]=redis-server
           [/usr/lib/postgresql]=postgresql)
fi
if [[ $profile == bench ]]; then
  wanted+=([wrk]=wrk)
fi
missing=()
for probe in "${!wanted[@]}"; do
  if [[ $probe == /* ]]; then [[ -e $probe ]] && continue
  else command -v "$probe" >/dev/null && continue; fi
  missing+=("${wanted[$probe]}")
done
if ((${#missing[@]})); then
  echo "system packages: installing ${missing[*]}"
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
