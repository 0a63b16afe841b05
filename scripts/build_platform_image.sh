#!/usr/bin/env bash
# Builds the platform image (deploy/Dockerfile) that every service of docker-compose.yaml runs,
# offline, the same way as the eval images (scripts/build_images.sh):
#   1. the base image (debootstrap + docker import) unless BASE_IMAGE names one you can pull;
#   2. a wheelhouse made on the host: requirements.txt without its test section, pinned to the
#      exact versions installed in .venvs/platform (pip freeze as constraints);
#   3. PLATFORM_IMAGE (default leaderboard/platform:latest) with the code copied in.
# Needs a running dockerd (scripts/start_dockerd.sh) and the platform env (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_IMAGE=${BASE_IMAGE:-leaderboard/base:bookworm-py311}
PLATFORM_IMAGE=${PLATFORM_IMAGE:-leaderboard/platform:latest}
if [[ $BASE_IMAGE == leaderboard/base:* ]]; then
  eval_images/base/build_base.sh "$BASE_IMAGE"
fi

context=$(mktemp -d /tmp/platform-context.XXXXXX)
trap 'rm -rf "$context"' EXIT
sed '/^# tests/,$d' requirements.txt >"$context/requirements.txt"  # the runtime part only
.venvs/platform/bin/pip freeze --exclude-editable 2>/dev/null | grep -v -e '^-e ' -e ' @ ' >"$context/constraints.txt"

wheels=var/wheelhouse/platform
mkdir -p "$wheels" var/logs
quiet() { { grep -v -e '^WARNING: Location' -e '^\[notice\]' -e '^INFO: pip is looking' || true; }; }
# wheels for the host's Python (building any sdist), then the dependencies only the image's
# Python needs: bookworm has 3.11.2, and a marker such as python_full_version < "3.11.3" (redis
# needs async-timeout there) is false on a newer host, where pip would never fetch them.
.venvs/platform/bin/pip wheel -q -r "$context/requirements.txt" -c "$context/constraints.txt" -w "$wheels" 2>&1 | quiet
image_python=$(docker run --rm --network none "$BASE_IMAGE" python3 -c 'import platform; print(platform.python_version())')
.venvs/platform/bin/python - "$image_python" >"$context/image-only.txt" <<'PY'
import sys
from importlib.metadata import distributions
from packaging.requirements import Requirement

version = sys.argv[1]
image = {"python_full_version": version, "python_version": ".".join(version.split(".")[:2]), "extra": ""}
for dist in distributions():
    for spec in dist.requires or []:
        req = Requirement(spec)
        if req.marker and req.marker.evaluate(image) and not req.marker.evaluate({"extra": ""}):
            print(f"{req.name}{req.specifier}")
PY
if [[ -s $context/image-only.txt ]]; then
  echo "wheels only the image's Python $image_python needs: $(sort -u "$context/image-only.txt" | tr '\n' ' ')"
  .venvs/platform/bin/pip wheel -q -r "$context/image-only.txt" -w "$wheels" 2>&1 | quiet
fi

mkdir "$context/app"
# The code, laid out as in the repository (settings.REPO_ROOT is the folder above include/).
git ls-files -co --exclude-standard -- include dags plugins dashboard eval_images deploy pyproject.toml \
  | grep -v -e '/tests/' -e '__pycache__' | while read -r f; do [[ -f $f ]] && echo "$f"; done \
  | xargs cp --parents -t "$context/app/"
cp deploy/Dockerfile "$context/"
cp -al "$wheels" "$context/wheels" 2>/dev/null || cp -r "$wheels" "$context/wheels"
docker build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$PLATFORM_IMAGE" "$context" \
  >var/logs/build-platform.log 2>&1 || { tail -30 var/logs/build-platform.log; exit 1; }
echo "built image $PLATFORM_IMAGE ($(docker image inspect -f '{{.Id}}' "$PLATFORM_IMAGE"))"
