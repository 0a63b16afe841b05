from __future__ import annotations

import signal

import pytest

from tests.cluster.cluster import ADMIN_PASSWORD, missing_services, new_cluster, wait_for


@pytest.fixture(scope="module")
def cluster(demo_models):
    """Postgres, Redis, api-server, scheduler and dag-processor, up and with the DAG parsed and
    unpaused. Workers are started by the tests (which queues each listens on is what they test)."""
    missing = missing_services()
    if missing:
        pytest.fail(f"the cluster test needs {', '.join(missing)}: run scripts/system_packages.sh test")
    from leaderboard.airflow_api import AirflowAPI

    def interrupt(signum, frame):  # a CI timeout's SIGTERM: still run the cleanup below
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    cluster = new_cluster()
    try:
        cluster.start_postgres()
        cluster.start_redis()
        cluster.env = cluster.airflow_env(demo_models)
        cluster.start_airflow(cluster.env)
        api = AirflowAPI(cluster.api_url, "admin", ADMIN_PASSWORD)
        wait_for("api-server", lambda: api._client.get("/api/v2/monitor/health").status_code == 200, 180,
                 cluster.diagnostics)
        api.wait_for_dag("evaluate_model", timeout_s=180)
        api.unpause("evaluate_model")
        cluster.api = api
        yield cluster
    finally:
        cluster.close()
        signal.signal(signal.SIGTERM, previous)
