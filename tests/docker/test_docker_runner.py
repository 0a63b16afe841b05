"""The docker runner against a real dockerd and the real harness image, on the real model.

Needs dockerd and the images (scripts/start_dockerd.sh, scripts/build_images.sh; `make test`
does both). Without Docker these tests skip, unless LEADERBOARD_REQUIRE_DOCKER=1 (CI), where a
missing daemon or image is a failure."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import pytest

from tests.helpers import SMOLLM, environment, query, run_evaluate_model

pytestmark = pytest.mark.e2e
REQUIRED = os.environ.get("LEADERBOARD_REQUIRE_DOCKER") == "1"


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def harness_image():
    from leaderboard.runners import harness_image

    image = harness_image()
    try:
        docker("image", "inspect", image)
    except (OSError, subprocess.CalledProcessError) as exc:
        message = f"docker or the harness image {image} is unavailable ({exc}); run scripts/build_images.sh"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return image


@pytest.fixture(scope="module")
def docker_env(harness_image, demo_models, tmp_path_factory):
    """Variables for the docker runner; the DAG picks its runner when it is parsed."""
    home = tmp_path_factory.mktemp("leaderboard-docker")
    yield {"LEADERBOARD_RUNNER": "docker", "LEADERBOARD_HOME": str(home),
           "LEADERBOARD_MODELS_DIR": str(demo_models), "LEADERBOARD_RETRY_DELAY_S": "1",
           "LEADERBOARD_CONTAINER_MEMORY": "4g", "LEADERBOARD_KEEP_CONTAINERS": "1"}
    ids = docker("ps", "-aq", "--filter", "label=leaderboard.component=harness").split()
    if ids:
        docker("rm", "-f", *ids)


@pytest.fixture(scope="module")
def docker_dagbag(docker_env, airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    from tests.helpers import REPO

    with environment(**docker_env):
        bag = DagBag(dag_folder=str(REPO / "dags"))
    assert type(bag.dags["evaluate_model"].task_dict["run_benchmark"]).__name__ == "MappedOperator"
    return bag


@pytest.fixture(scope="module")
def docker_run(docker_dagbag, docker_env):
    from leaderboard.settings import load_settings

    with environment(**docker_env):
        run = run_evaluate_model(docker_dagbag, model_id=SMOLLM)
        return {"run": run, "settings": load_settings()}


def harness_containers() -> list[dict]:
    ids = docker("ps", "-aq", "--filter", "label=leaderboard.component=harness").split()
    return json.loads(docker("inspect", *ids)) if ids else []


def test_docker_run_succeeds_with_image_recorded(docker_run, harness_image):
    assert docker_run["run"].state == "success"
    rows = query(docker_run["settings"].warehouse_path,
                 "SELECT benchmark, document->>'$.runtime.environment.runner', "
                 "document->>'$.runtime.environment.image', document->>'$.runtime.environment.image_id' "
                 "FROM results ORDER BY benchmark")
    image_id = json.loads(docker("image", "inspect", harness_image))[0]["Id"]
    assert rows == [("arc_easy", "docker", harness_image, image_id), ("gsm8k", "docker", harness_image, image_id)]


def test_docker_verdicts_equal_the_local_runners(docker_run, local_ci_runs):
    sql = ("SELECT r.benchmark, s.doc_id, s.output, s.score FROM samples s JOIN results r USING (result_id) "
           "ORDER BY r.benchmark, s.doc_id")
    in_docker = query(docker_run["settings"].warehouse_path, sql)
    local = query(local_ci_runs["settings"].warehouse_path, sql)
    assert len(in_docker) == 14
    assert in_docker == local


def test_containers_have_no_network_readonly_inputs_and_limits(docker_run):
    containers = [c for c in harness_containers()
                  if c["Config"]["Labels"].get("leaderboard.job_id", "").startswith(docker_run["run"].run_id)]
    assert len(containers) == 2
    for c in containers:
        host = c["HostConfig"]
        assert host["NetworkMode"] == "none"
        assert [n for n in c["NetworkSettings"]["Networks"]] in ([], ["none"])
        mounts = {m["Destination"]: m["RW"] for m in c["Mounts"]}
        assert mounts == {"/model": False, "/data": False, "/output": True}
        assert host["Memory"] == 4 << 30
        assert host["NanoCpus"] > 0 and host["PidsLimit"] > 0 and host["ShmSize"] > 0
        assert c["State"]["ExitCode"] == 0


def test_a_killed_container_fails_clearly_and_the_retry_succeeds(docker_dagbag, docker_env):
    from leaderboard.pipeline import run_directory
    from leaderboard.settings import load_settings

    with environment(**docker_env):
        settings = load_settings()
    killed = []

    def kill_first_running_container():
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not killed:
            ids = docker("ps", "-q", "--filter", "label=leaderboard.component=harness",
                         "--filter", "status=running").split()
            if ids:
                time.sleep(3)  # mid-run: the harness is loading or evaluating
                docker("kill", ids[0])
                killed.append(ids[0])
            time.sleep(0.5)

    killer = threading.Thread(target=kill_first_running_container, daemon=True)
    killer.start()
    with environment(**docker_env):
        run = run_evaluate_model(docker_dagbag, model_id=SMOLLM, rerun=True)  # docker_run evaluated this sha
    killer.join(timeout=5)
    assert killed, "no harness container was seen running"
    assert run.state == "success"
    run_dir = run_directory(settings, run.run_id)
    failures = [json.loads(line) for f in (run_dir / "benchmarks").glob("*.failures.jsonl")
                for line in f.read_text().splitlines()]
    assert len(failures) == 1
    assert failures[0]["reason"].startswith("killed: the container got SIGKILL (exit 137)")
    counts = query(settings.warehouse_path, "SELECT benchmark, count(*) FROM results GROUP BY benchmark ORDER BY 1")
    assert counts == [("arc_easy", 1), ("gsm8k", 1)]
