"""End to end, with no manual step: the demo model is published to the Hub stand-in, and a
real Airflow (standalone: scheduler, dag-processor, api-server) evaluates it on the `ci` suite
through each trigger, the model source being the Hub (huggingface_hub over HTTP). The polling
DAG runs on its own schedule (every minute here); the stand-in POSTs webhooks to the API app."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from leaderboard.airflow_api import AirflowAPI
from leaderboard.hub.standin import StandinHub, StandinServer
from leaderboard.submissions import run_id_for
from tests.helpers import SMOLLM, airflow_standalone_env, environment, free_port, query

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
SECRET = "e2e-webhook-secret"
SUITE = "ci"


def wait_for_run_to_exist(api: AirflowAPI, run_id: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            api.run_state("evaluate_model", run_id)
            return
        except RuntimeError:
            assert time.monotonic() < deadline, f"run {run_id} was never queued"
            time.sleep(3)


def wait_for_run(api: AirflowAPI, dag_id: str, run_id: str, timeout_s: float = 2400) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return api.wait(dag_id, run_id, timeout_s=max(1, deadline - time.monotonic()), poll_s=3)
        except RuntimeError as exc:  # 404 until the run exists
            if "404" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(3)


@pytest.fixture(scope="module")
def platform(demo_models, tmp_path_factory):
    """The stand-in Hub serving the demo model, Airflow standalone and the API app with the webhook."""
    root = tmp_path_factory.mktemp("hub-e2e")
    hub = StandinHub()
    hub.push_folder(SMOLLM, demo_models / SMOLLM, notify=False, tags=["chat"])
    with StandinServer(hub) as hub_url:
        api_port, webhook_port = free_port(), free_port()
        python_bin = Path(sys.executable).parent
        env = {
            **airflow_standalone_env(root, api_port, "hub-e2e"),
            "LEADERBOARD_HOME": str(root / "leaderboard"), "LEADERBOARD_MODEL_SOURCE": "hub",
            "LEADERBOARD_HUB_ENDPOINT": hub_url, "LEADERBOARD_HUB_SUITE": SUITE, "LEADERBOARD_RUNNER": "local",
            "LEADERBOARD_HUB_POLL_SCHEDULE": "* * * * *", "LEADERBOARD_RETRY_DELAY_S": "5",
        }
        airflow = str(python_bin / "airflow")
        subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True, env=env)
        subprocess.run([airflow, "pools", "import", str(REPO / "include/leaderboard/pools.json")],
                       check=True, capture_output=True, env=env)
        log = (root / "standalone.log").open("w")
        process = subprocess.Popen([airflow, "standalone"], stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        server = None
        try:
            url = f"http://127.0.0.1:{api_port}"
            password_file = root / "airflow" / "simple_auth_manager_passwords.json.generated"
            deadline = time.monotonic() + 240
            while not password_file.is_file() or not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"airflow standalone did not start: {(root / 'standalone.log').read_text()[-3000:]}")
                time.sleep(2)
            password = json.loads(password_file.read_text())["admin"]
            api = AirflowAPI(url, "admin", password)
            for dag_id in ("evaluate_model", "sense_hub_models"):
                api.wait_for_dag(dag_id, timeout_s=240)
                api.unpause(dag_id)
            # the API app (webhook receiver included) in this process, as `leaderboard-api` would run it
            with environment(**{k: env[k] for k in ("LEADERBOARD_HOME", "LEADERBOARD_HUB_SUITE")},
                             LEADERBOARD_WEBHOOK_SECRET=SECRET, AIRFLOW_URL=url, AIRFLOW_PASSWORD=password):
                from leaderboard.api.app import create_app

                server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=webhook_port,
                                                       log_level="warning"))
                threading.Thread(target=server.run, daemon=True).start()
                while not server.started:
                    time.sleep(0.1)
                hub.webhooks.append((f"http://127.0.0.1:{webhook_port}/api/v1/webhooks/hub", SECRET))
                yield {"hub": hub, "api": api, "env": env, "root": root,
                       "published": root / "leaderboard" / "published" / "leaderboard.duckdb"}
        finally:
            if server is not None:
                server.should_exit = True
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            log.close()


def pause_between_polls(api: AirflowAPI, dag_id: str, timeout_s: float = 300) -> None:
    """Pause the DAG while none of its runs is active: a paused DAG's running run never finishes."""
    def active() -> bool:
        runs = api._request("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 1000}).json()["dag_runs"]
        return any(r["state"] in ("queued", "running") for r in runs)

    deadline = time.monotonic() + timeout_s
    while True:
        assert time.monotonic() < deadline, f"{dag_id} never stood still"
        if not active():
            api._request("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": True})
            if not active():
                return
            api.unpause(dag_id)  # a run started in between: let it finish
        time.sleep(2)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/v2/monitor/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def new_commit(hub: StandinHub, note: str, notify: bool, model_id: str = SMOLLM, **files_changes) -> str:
    """Push the model again with its card changed: a new commit of the same weights."""
    files = dict(hub.repos[SMOLLM].commits[hub.repos[SMOLLM].main])
    files["README.md"] = files["README.md"] + f"\n{note}\n".encode()
    files.update(files_changes)
    return hub.push(model_id, files, notify=notify, tags=["chat"])


def submission(published: Path, run_id: str) -> tuple:
    rows = query(published, "SELECT status, reason, trigger, revision FROM submissions WHERE submission_id = ?",
                 [run_id])
    return rows[0] if rows else None


def test_poll_and_webhook_paths_evaluate_and_rank_with_no_manual_step(platform):
    hub, api, published = platform["hub"], platform["api"], platform["published"]
    # The scheduled poll first takes note of what is already on the Hub (no backfill) ...
    deadline = time.monotonic() + 240
    while not (Path(platform["env"]["LEADERBOARD_HOME"]) / "hub" / "poll_state.json").is_file():
        assert time.monotonic() < deadline, "the scheduled poll never committed its watermark"
        time.sleep(3)
    # ... and a later push is found by the next scheduled poll, evaluated at exactly that sha.
    polled = new_commit(hub, "poll path", notify=False)
    poll_run = run_id_for("poll", SMOLLM, polled, SUITE)
    wait_for_run_to_exist(api, poll_run)
    pause_between_polls(api, "sense_hub_models")  # a later poll could also sense the next push

    # A push with the webhook: queued at once by the receiver (evaluated beside the polled one).
    pushed = new_commit(hub, "webhook path", notify=True)
    webhook_run = run_id_for("webhook", SMOLLM, pushed, SUITE)
    # A bad push: rejected before any evaluation, with its reason visible.
    hub.push("badorg/unlicensed", {**hub.repos[SMOLLM].commits[pushed],
                                  "README.md": b"---\ntags: [chat]\n---\n# no license\n"})
    bad_run = run_id_for("webhook", "badorg/unlicensed", hub.repos["badorg/unlicensed"].main, SUITE)
    wait_for_run_to_exist(api, bad_run)
    assert wait_for_run(api, "evaluate_model", bad_run) == "failed"
    assert wait_for_run(api, "evaluate_model", poll_run) == "success"
    assert wait_for_run(api, "evaluate_model", webhook_run) == "success"

    assert submission(published, poll_run) == ("completed", None, "poll", polled)
    assert submission(published, webhook_run) == ("completed", None, "webhook", pushed)
    status, reason, trigger, _ = submission(published, bad_run)
    assert (status, trigger) == ("rejected", "webhook") and "declares no license" in reason
    events = query(published, "SELECT status FROM submission_events WHERE submission_id = ? ORDER BY occurred_at",
                   [webhook_run])
    assert [e for (e,) in events] == ["pending", "validating", "evaluating", "completed"]
    assert query(published, "SELECT model_id, rank FROM leaderboard WHERE suite = ?", [SUITE]) == [(SMOLLM, 1)]
    assert query(published, "SELECT DISTINCT source, model_type, hub_url LIKE 'http://127.0.0.1:%' FROM models") == [
        ("hub", "chat", True)]


def test_cli_and_manual_triggers_end_completed_and_a_duplicate_is_refused(platform):
    hub, api, published, env = platform["hub"], platform["api"], platform["published"], platform["env"]
    by_cli = new_commit(hub, "cli path", notify=False)
    by_hand = new_commit(hub, "manual path", notify=False)
    cli = subprocess.run([str(Path(sys.executable).with_name("leaderboard")), "--airflow-url", api.base_url,
                          "submit", "--suite", SUITE, "--revision", by_cli, SMOLLM],
                         capture_output=True, text=True, env={**env, "AIRFLOW_PASSWORD": api.password}, timeout=300)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    cli_run = cli.stdout.split(": run ")[1].split()[0]
    # what the Airflow UI's trigger form sends: a REST trigger without a run id (manual__...)
    manual_run = api.trigger("evaluate_model", {"model_id": SMOLLM, "revision": by_hand, "suite": SUITE})
    assert cli_run.startswith("cli__") and manual_run.startswith("manual__")
    assert wait_for_run(api, "evaluate_model", cli_run) == "success"
    assert wait_for_run(api, "evaluate_model", manual_run) == "success"
    assert submission(published, cli_run) == ("completed", None, "cli", by_cli)
    assert submission(published, manual_run) == ("completed", None, "manual", by_hand)
    # The same (model, sha, suite version) again: refused before evaluation, with the reason.
    again = api.trigger("evaluate_model", {"model_id": SMOLLM, "revision": by_hand, "suite": SUITE})
    assert wait_for_run(api, "evaluate_model", again) == "failed"
    status, reason, trigger, _ = submission(published, again)
    assert (status, trigger) == ("rejected", "manual") and f"already completed in submission {manual_run}" in reason
