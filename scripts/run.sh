#!/usr/bin/env bash
# The main job on the embedded defaults: Airflow standalone (SQLite, LocalExecutor), the local
# runner, a DuckDB file under var/, and Streamlit. Evaluates the demo models on the smoke suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/airflow_env.sh
SUITE=${SUITE:-smoke}
STREAMLIT_PORT=${STREAMLIT_PORT:-8501}
mkdir -p var/logs var/pids

airflow db migrate >var/logs/airflow-migrate.log 2>&1
airflow pools import include/leaderboard/pools.json >/dev/null

running() { [[ -f var/pids/$1 ]] && kill -0 "$(cat "var/pids/$1")" 2>/dev/null; }

if ! running airflow; then
  echo "run: starting Airflow standalone (log: var/logs/airflow.log)"
  setsid nohup airflow standalone >var/logs/airflow.log 2>&1 &
  echo $! >var/pids/airflow
fi
if ! running streamlit; then
  echo "run: starting Streamlit (log: var/logs/streamlit.log)"
  setsid nohup streamlit run dashboard/app.py --server.headless true --server.port "$STREAMLIT_PORT" \
    --server.address 127.0.0.1 --browser.gatherUsageStats false >var/logs/streamlit.log 2>&1 &
  echo $! >var/pids/streamlit
fi

echo "run: waiting for the Airflow API"
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$AIRFLOW__API__PORT/api/v2/monitor/health" >/dev/null && break
  sleep 2
done
for _ in $(seq 60); do
  [[ -f $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated ]] && break
  sleep 1
done

leaderboard --airflow-url "http://127.0.0.1:$AIRFLOW__API__PORT" submit --suite "$SUITE" --wait \
  HuggingFaceTB/SmolLM2-135M-Instruct leaderboard-demo/SmolLM2-135M-random

python -m leaderboard.report "$LEADERBOARD_HOME/published/leaderboard.duckdb" --suite "$SUITE"
cat <<TXT

Airflow UI:   http://127.0.0.1:$AIRFLOW__API__PORT   (user admin, password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)
Leaderboard:  http://127.0.0.1:$STREAMLIT_PORT
Snapshot:     $LEADERBOARD_HOME/published/leaderboard.duckdb
Stop both with: make stop
TXT
