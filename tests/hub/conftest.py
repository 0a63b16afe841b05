"""The Hub stand-in on loopback with fixture repos, and Hub configs pointing at it."""

from __future__ import annotations

import dataclasses

import pytest

from leaderboard.hub.config import load_hub_config
from leaderboard.hub.standin import StandinHub, StandinServer
from repos import TOKEN, repo_files

from tests.helpers import free_port, wait_until_healthy



@pytest.fixture
def hub() -> StandinHub:
    return StandinHub(tokens={TOKEN: {"org/gated"}, "hf_standin_nobody": set()})


@pytest.fixture
def hub_url(hub):
    with StandinServer(hub) as url:
        yield url


@pytest.fixture
def hub_config(hub_url):
    """The committed policy, pointed at the stand-in, without token or secret."""
    return dataclasses.replace(load_hub_config(), endpoint=hub_url, token=None, webhook_secret=None)


@pytest.fixture
def good_repo(hub) -> str:
    hub.push("org/good", repo_files(tags=["chat"], license="mit"))
    return "org/good"


@pytest.fixture(scope="session")
def airflow_api_server(airflow_db, tmp_path_factory):
    """A real `airflow api-server` on loopback over the session's metadata DB, with every DAG
    serialized into it: the REST API v2 the webhook triggers through."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from leaderboard.airflow_api import AirflowAPI

    airflow = Path(sys.executable).with_name("airflow")
    env = {**os.environ, "PATH": f"{airflow.parent}:{os.environ['PATH']}",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
           "AIRFLOW__API_AUTH__JWT_SECRET": "hub-tests-" + os.urandom(8).hex()}
    reserialize = subprocess.run([str(airflow), "dags", "reserialize"], capture_output=True, text=True, env=env)
    if reserialize.returncode:
        pytest.fail(f"airflow dags reserialize failed ({reserialize.returncode}):\n"
                    f"{reserialize.stdout[-3000:]}\n{reserialize.stderr[-3000:]}")
    port = free_port()
    log = tmp_path_factory.mktemp("api-server") / "api-server.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(airflow), "api-server", "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_healthy(f"{url}/api/v2/monitor/health", process, timeout_s=120):
            pytest.fail(f"airflow api-server did not start: {log.read_text()[-3000:]}")
        password = json.loads((airflow_db / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
        yield AirflowAPI(url, "admin", password)
    finally:
        import signal

        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
