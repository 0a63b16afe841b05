#!/usr/bin/env bash
# Entry point of every platform container (docker-compose.yaml): runs its command. With
# AIRFLOW_ADMIN_PASSWORD set (from the env file), it first writes the simple auth manager's
# password file, so the api-server uses that password instead of generating one.
set -euo pipefail
passwords=${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-}
if [[ -n ${AIRFLOW_ADMIN_PASSWORD:-} && -n $passwords ]]; then
  mkdir -p "$(dirname "$passwords")"
  (umask 077 && python -c 'import json, os, sys; print(json.dumps({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}))' \
    >"$passwords")
fi
exec "$@"
