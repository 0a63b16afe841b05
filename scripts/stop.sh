#!/usr/bin/env bash
# Stops what scripts/run.sh started.
cd "$(dirname "$0")/.."
for name in airflow streamlit; do
  if [[ -f var/pids/$name ]]; then
    pid=$(cat "var/pids/$name")
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    rm -f "var/pids/$name"
    echo "stopped $name"
  fi
done
