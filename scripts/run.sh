#!/usr/bin/env bash
# The main job on the embedded defaults: Airflow standalone (SQLite, LocalExecutor), the local
# runner, a DuckDB file under var/, and Streamlit. Evaluates the demo quality ladder
# (include/leaderboard/demo/ladder.yaml) on the demo suite and prints the ranking.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/airflow_env.sh
SUITE=${SUITE:-demo}
# The checkpoints' own precision (bf16: about 3x float32's throughput on a CPU with AMX) and
# larger batches than the default 8, for these small models.
export LEADERBOARD_BATCH_SIZE=${LEADERBOARD_BATCH_SIZE:-32}
export LEADERBOARD_DTYPE=${LEADERBOARD_DTYPE:-bfloat16}
# Two benchmarks run at once (pool leaderboard_evaluation): half the cores each, since
# oversubscribed torch threads spin and stall each other.
export LEADERBOARD_THREADS=${LEADERBOARD_THREADS:-$(( $(nproc) > 2 ? $(nproc) / 2 : 1 ))}
STREAMLIT_PORT=${STREAMLIT_PORT:-8501}
LOGS=$LEADERBOARD_HOME/logs PIDS=$LEADERBOARD_HOME/pids
mkdir -p "$LOGS" "$PIDS"

airflow db migrate >$LOGS/airflow-migrate.log 2>&1
airflow pools import include/leaderboard/pools.json >/dev/null

running() { [[ -f $PIDS/$1 ]] && kill -0 "$(cat "$PIDS/$1")" 2>/dev/null; }

if ! running airflow; then
  echo "run: starting Airflow standalone (log: $LOGS/airflow.log)"
  setsid nohup airflow standalone >$LOGS/airflow.log 2>&1 &
  echo $! >"$PIDS/airflow"
fi
if ! running streamlit; then
  echo "run: starting Streamlit (log: $LOGS/streamlit.log)"
  setsid nohup streamlit run dashboard/app.py --server.headless true --server.port "$STREAMLIT_PORT" \
    --server.address 127.0.0.1 --browser.gatherUsageStats false >$LOGS/streamlit.log 2>&1 &
  echo $! >"$PIDS/streamlit"
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

echo "run: the leaderboard (with the live queue) is at http://127.0.0.1:$STREAMLIT_PORT while this runs"
mapfile -t LADDER < <(python -c "from leaderboard.demo import ladder_model_ids; print(*ladder_model_ids(), sep='\n')")
leaderboard --airflow-url "http://127.0.0.1:$AIRFLOW__API__PORT" submit --suite "$SUITE" --wait "${LADDER[@]}"

python -m leaderboard.report "$LEADERBOARD_HOME/published/leaderboard.duckdb" --suite "$SUITE"
cat <<TXT

Airflow UI:   http://127.0.0.1:$AIRFLOW__API__PORT   (user admin, password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)
Leaderboard:  http://127.0.0.1:$STREAMLIT_PORT
Snapshot:     $LEADERBOARD_HOME/published/leaderboard.duckdb
Stop both with: make stop
TXT
