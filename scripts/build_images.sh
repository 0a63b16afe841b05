#!/usr/bin/env bash
# Builds the evaluation images offline:
#   1. the base image (debootstrap + docker import) unless BASE_IMAGE names one you can pull;
#   2. a wheelhouse of the harness's pinned requirements, made on the host;
#   3. leaderboard/harness:<fingerprint>, the tag the docker runner looks for.
# Needs a running dockerd (scripts/start_dockerd.sh) and the eval env (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_IMAGE=${BASE_IMAGE:-leaderboard/base:bookworm-py311}
if [[ $BASE_IMAGE == leaderboard/base:* ]]; then
  eval_images/base/build_base.sh "$BASE_IMAGE"
fi

# leaderboard/sandbox:<fingerprint>: the code-execution sandbox (python3 stdlib + the worker).
sandbox_tag=$(.venvs/platform/bin/python -c "from leaderboard.sandbox import sandbox_image; print(sandbox_image())")
if docker image inspect "$sandbox_tag" >/dev/null 2>&1; then
  echo "image $sandbox_tag already present"
else
  mkdir -p var/logs
  docker build --network none --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$sandbox_tag" eval_images/sandbox \
    >var/logs/build-sandbox.log 2>&1 || { tail -30 var/logs/build-sandbox.log; exit 1; }
  echo "built image $sandbox_tag ($(docker image inspect -f '{{.Id}}' "$sandbox_tag"))"
fi

tag=$(.venvs/platform/bin/python -c "from leaderboard.runners import harness_image; print(harness_image())")
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "image $tag already present"; exit 0
fi

wheels=var/wheelhouse/harness
mkdir -p "$wheels"
.venvs/eval/bin/pip wheel -q --no-deps -r eval_images/harness/requirements.txt -w "$wheels" 2>&1 \
  | { grep -v -e '^WARNING: Location' -e '^\[notice\]' || true; }

context=$(mktemp -d /tmp/harness-context.XXXXXX)
trap 'rm -rf "$context"' EXIT
mkdir "$context/app"
cp eval_images/harness/Dockerfile eval_images/harness/requirements.txt "$context/"
(cd eval_images/harness && find . -name '*.py' -not -path '*/tests/*' -not -path '*/__pycache__/*' \
  -exec cp --parents {} "$context/app/" \;)
cp -al "$wheels" "$context/wheels" 2>/dev/null || cp -r "$wheels" "$context/wheels"
docker build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$tag" "$context" >var/logs/build-harness.log 2>&1 \
  || { tail -30 var/logs/build-harness.log; exit 1; }
echo "built image $tag ($(docker image inspect -f '{{.Id}}' "$tag"))"
