#!/usr/bin/env bash
# Stops what scripts/run.sh started.
cd "$(dirname "$0")/.."
source scripts/airflow_env.sh
PIDS=$LEADERBOARD_HOME/pids
for name in airflow streamlit; do
  if [[ -f $PIDS/$name ]]; then
    pid=$(cat "$PIDS/$name")
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    rm -f "$PIDS/$name"
    echo "stopped $name"
  fi
done
