"""No run left behind, against a real Airflow (standalone: scheduler, dag-processor, api-server,
LocalExecutor) with the project's plugins: evaluate_model runs the demo model on the `ci` suite
with the local runner; while a benchmark's harness runs, the run is marked failed through the REST
API, as the UI's "Mark as failed" does. The run failure listener (plugins/run_failure_listener.py)
must mark the submission failed with the reason: in the live status file within seconds, then
in the warehouse; the next publish carries it; and no harness process is left running. A run
whose benchmarks cannot start (no evaluation slot) ends at its dagrun_timeout, and the listener,
in the scheduler this time, records that too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import psutil
import pytest

from leaderboard import live
from leaderboard.airflow_api import AirflowAPI
from leaderboard.pipeline import run_directory
from leaderboard.settings import load_settings
from tests.helpers import REPO, SMOLLM, airflow_standalone_env, environment, free_port, query

pytestmark = pytest.mark.e2e
DAG_ID = "evaluate_model"
RUN_ID = "manual__run-failure-e2e"
TIMED_OUT_RUN_ID = "manual__run-timeout-e2e"
RUN_TIMEOUT_S = 90  # evaluate_model's dagrun_timeout here: the marked-failed run is stopped long before
LIVE_WITHIN_S = 10


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/v2/monitor/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def platform(demo_models, tmp_path_factory):
    root = tmp_path_factory.mktemp("run-failure-e2e")
    api_port = free_port()
    python_bin = Path(sys.executable).parent
    env = {
        **airflow_standalone_env(root, api_port, "run-failure-e2e"),
        "LEADERBOARD_HOME": str(root / "leaderboard"), "LEADERBOARD_MODELS_DIR": str(demo_models),
        "LEADERBOARD_RUNNER": "local", "LEADERBOARD_RETRY_DELAY_S": "5",
        "LEADERBOARD_RUN_TIMEOUT_S": str(RUN_TIMEOUT_S),
    }
    airflow = str(python_bin / "airflow")
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True, env=env)
    subprocess.run([airflow, "pools", "import", str(REPO / "include/leaderboard/pools.json")],
                   check=True, capture_output=True, env=env)
    log_path = root / "standalone.log"
    log = log_path.open("w")
    process = subprocess.Popen([airflow, "standalone"], stdout=log, stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)
    try:
        url = f"http://127.0.0.1:{api_port}"
        password_file = root / "airflow" / "simple_auth_manager_passwords.json.generated"
        deadline = time.monotonic() + 240
        while not password_file.is_file() or not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"airflow standalone did not start: {log_path.read_text()[-3000:]}")
            time.sleep(2)
        api = AirflowAPI(url, "admin", json.loads(password_file.read_text())["admin"])
        api.wait_for_dag(DAG_ID, timeout_s=240)
        api.unpause(DAG_ID)
        with environment(LEADERBOARD_HOME=env["LEADERBOARD_HOME"], LEADERBOARD_MODELS_DIR=str(demo_models)):
            yield {"api": api, "settings": load_settings(), "log": log_path}
    finally:
        stop(process, root)
        log.close()


def stop(process: subprocess.Popen, root: Path) -> None:
    """Stop Airflow and everything it started: task processes run in process groups of their own,
    the harness in a session of its own, and idle LocalExecutor workers outlive a SIGTERM."""
    try:
        started = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        started = []
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    _, alive = psutil.wait_procs(started, timeout=20)
    harnesses = [p for p in psutil.process_iter(["cmdline"])
                 if any(str(root) in part for part in p.info["cmdline"] or [])]
    for proc in alive + harnesses:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive + harnesses, timeout=10)


def harness_processes(settings, run_id: str) -> dict[int, str]:
    """pid → benchmark of every harness process evaluating this run."""
    benchmarks = run_directory(settings, run_id) / "benchmarks"
    found = {}
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if str(settings.harness_entrypoint) in cmdline and "--job" in cmdline:
            job = Path(cmdline[cmdline.index("--job") + 1])
            if job.parent.parent == benchmarks:
                found[proc.info["pid"]] = job.parent.name
    return found


def task_instances(api: AirflowAPI, run_id: str) -> list[dict]:
    return api._request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]


def warehouse_row(settings, run_id: str) -> tuple | None:
    """The submission in the warehouse, read between writers (a writer may hold the file a moment)."""
    try:
        rows = query(settings.warehouse_path, "SELECT status, reason FROM submissions WHERE submission_id = ?",
                     [run_id])
    except duckdb.IOException:
        return None
    return rows[0] if rows else None


def test_a_run_marked_failed_while_a_benchmark_runs_fails_its_submission_with_the_reason(platform):
    api, settings = platform["api"], platform["settings"]
    api.trigger(DAG_ID, {"model_id": SMOLLM, "revision": "main", "suite": "ci", "rerun": False}, run_id=RUN_ID)

    deadline = time.monotonic() + 600
    while not (running := harness_processes(settings, RUN_ID)):
        assert api.run_state(DAG_ID, RUN_ID) not in ("success", "failed"), "the run ended before a benchmark ran"
        assert time.monotonic() < deadline, f"no benchmark started: {platform['log'].read_text()[-3000:]}"
        time.sleep(0.5)
    assert any(ti["task_id"] == "run_benchmark" and ti["state"] == "running" for ti in task_instances(api, RUN_ID))

    api._request("PATCH", f"/api/v2/dags/{DAG_ID}/dagRuns/{RUN_ID}", json={"state": "failed"})
    marked = time.monotonic()

    # readers see it within seconds, in the live status file
    live_file = live.submission_dir(settings.published_dir, RUN_ID) / live.SUBMISSION_FILE
    while (record := json.loads(live_file.read_text()))["status"] != "failed":
        assert time.monotonic() - marked < LIVE_WITHIN_S, f"live status still {record['status']}"
        time.sleep(0.2)
    print(f"live status failed {time.monotonic() - marked:.1f} s after the PATCH")
    reason = record["reason"]
    assert reason.startswith("the run was marked failed by a user while benchmark "), reason
    assert reason.endswith(" running"), reason
    for benchmark in set(running.values()):
        assert f"benchmark {benchmark}" in reason, (reason, running)

    # the warehouse records it (the listener's thread, in the api-server)
    deadline = time.monotonic() + 90
    while (row := warehouse_row(settings, RUN_ID)) != ("failed", reason):
        assert time.monotonic() < deadline, f"the warehouse still holds {row}"
        time.sleep(1)
    events = query(settings.warehouse_path, "SELECT status FROM submission_events WHERE submission_id = ? "
                   "ORDER BY occurred_at", [RUN_ID])
    assert [s for (s,) in events] == ["pending", "validating", "evaluating", "failed"]
    assert not (run_directory(settings, RUN_ID) / "run_failed.json").exists()

    # the harness that was evaluating is gone, and nothing else of this run runs
    deadline = time.monotonic() + 60
    while left := {pid: b for pid, b in harness_processes(settings, RUN_ID).items() if pid in running}:
        if time.monotonic() > deadline:
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            pytest.fail(f"harness processes left running after the run was marked failed: {left}")
        time.sleep(1)
    assert api.run_state(DAG_ID, RUN_ID) == "failed"
    states = {ti["task_id"]: ti["state"] for ti in task_instances(api, RUN_ID) if ti["task_id"] != "run_benchmark"}
    assert states["load_results"] == "skipped" and states["publish_leaderboard"] == "skipped"

    # the next publish (any run's publish_leaderboard) carries it to readers of the snapshot
    from leaderboard.pipeline import publish_leaderboard

    publish_leaderboard(published_at="2030-01-01T00:00:00+00:00", settings=settings)
    assert query(settings.published_path, "SELECT status, reason FROM submissions WHERE submission_id = ?",
                 [RUN_ID]) == [("failed", reason)]
    assert not live_file.exists()  # final and published: pruned from the live folder


def test_a_run_that_times_out_fails_its_submission_with_the_reason(platform):
    api, settings = platform["api"], platform["settings"]
    pool = "/api/v2/pools/leaderboard_evaluation"
    slots = api._request("GET", pool).json()["slots"]

    def set_slots(n: int) -> None:
        api._request("PATCH", pool, params={"update_mask": "slots"},
                     json={"pool": "leaderboard_evaluation", "slots": n, "include_deferred": False})

    set_slots(0)  # no benchmark can start: the run can only time out
    try:
        api.trigger(DAG_ID, {"model_id": SMOLLM, "revision": "main", "suite": "ci", "rerun": True},
                    run_id=TIMED_OUT_RUN_ID)
        deadline = time.monotonic() + RUN_TIMEOUT_S + 180
        while (state := api.run_state(DAG_ID, TIMED_OUT_RUN_ID)) != "failed":
            assert state != "success" and time.monotonic() < deadline, f"the run is {state}"
            time.sleep(1)
        ended = time.monotonic()
    finally:
        set_slots(slots)
    reason = f"the run timed out after {RUN_TIMEOUT_S} s before its results loaded"
    live_file = live.submission_dir(settings.published_dir, TIMED_OUT_RUN_ID) / live.SUBMISSION_FILE
    while (record := json.loads(live_file.read_text()))["status"] != "failed":
        assert time.monotonic() - ended < LIVE_WITHIN_S, f"live status still {record['status']}"
        time.sleep(0.2)
    assert record["reason"] == reason
    deadline = time.monotonic() + 90
    while (row := warehouse_row(settings, TIMED_OUT_RUN_ID)) != ("failed", reason):
        assert time.monotonic() < deadline, f"the warehouse still holds {row}"
        time.sleep(1)
