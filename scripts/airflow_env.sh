# Sourced by the run scripts: Airflow standalone on SQLite under var/airflow, our dags/ and plugins/.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export AIRFLOW_HOME=${AIRFLOW_HOME:-$ROOT/var/airflow}
export AIRFLOW__CORE__DAGS_FOLDER=$ROOT/dags
export AIRFLOW__CORE__PLUGINS_FOLDER=$ROOT/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__API__HOST=127.0.0.1  # loopback only
export AIRFLOW__API__PORT=${AIRFLOW_PORT:-8080}
# tasks reach the API server here (Airflow assumes port 8080 otherwise)
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$AIRFLOW__API__PORT/execution/
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-10}
export LEADERBOARD_HOME=${LEADERBOARD_HOME:-$ROOT/var}
export PATH=$ROOT/.venvs/platform/bin:$PATH
