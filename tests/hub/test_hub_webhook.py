"""The webhook receiver against a real Airflow api-server: a good secret queues evaluate_model
through REST API v2, a bad or missing one is refused and queues nothing, a burst of the same
event queues one run."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from leaderboard.hub import webhook
from leaderboard.hub.standin import Repo, webhook_payload

SECRET = "s3cret-for-tests"


@pytest.fixture
def client(airflow_api_server, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("LEADERBOARD_HUB_SUITE", "ci")
    monkeypatch.setenv("AIRFLOW_URL", airflow_api_server.base_url)
    monkeypatch.setenv("AIRFLOW_USERNAME", airflow_api_server.username)
    monkeypatch.setenv("AIRFLOW_PASSWORD", airflow_api_server.password)
    app = FastAPI()
    app.include_router(webhook.router, prefix="/api/v1")
    return TestClient(app)


def runs(api, model_id: str) -> list[dict]:
    found = api._request("GET", "/api/v2/dags/evaluate_model/dagRuns", params={"limit": 1000}).json()["dag_runs"]
    return [r for r in found if r["conf"].get("model_id") == model_id]


def payload(model_id: str, sha: str, **changes) -> dict:
    body = webhook_payload(Repo(model_id), "0" * 40, sha)
    for key, value in changes.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) else value
    return body


def test_good_secret_queues_a_run_at_the_pushed_sha(client, airflow_api_server):
    sha = "1" * 40
    response = client.post("/api/v1/webhooks/hub", json=payload("org/pushed", sha), headers={"X-Webhook-Secret": SECRET})
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "queued", "run_id": f"webhook__org--pushed__{sha}__ci",
                               "model_id": "org/pushed", "revision": sha}
    (run,) = runs(airflow_api_server, "org/pushed")
    assert run["dag_run_id"] == f"webhook__org--pushed__{sha}__ci" and run["state"] == "queued"
    assert run["conf"] == {"model_id": "org/pushed", "revision": sha, "suite": "ci"}


@pytest.mark.parametrize("headers, status", [({}, 401), ({"X-Webhook-Secret": "wrong"}, 403),
                                             ({"X-Webhook-Secret": SECRET[:-1]}, 403), ({"X-Webhook-Secret": ""}, 403)])
def test_bad_or_missing_secret_is_refused_and_queues_nothing(client, airflow_api_server, headers, status):
    response = client.post("/api/v1/webhooks/hub", json=payload("org/intruder", "2" * 40), headers=headers)
    assert response.status_code == status
    assert runs(airflow_api_server, "org/intruder") == []


def test_no_configured_secret_refuses_everything(client, airflow_api_server, monkeypatch):
    monkeypatch.delenv("LEADERBOARD_WEBHOOK_SECRET")
    response = client.post("/api/v1/webhooks/hub", json=payload("org/nosecret", "3" * 40),
                           headers={"X-Webhook-Secret": ""})
    assert response.status_code == 503
    assert runs(airflow_api_server, "org/nosecret") == []


def test_an_unreadable_secret_file_refuses_everything_naming_the_setting(client, airflow_api_server, monkeypatch,
                                                                         tmp_path):
    monkeypatch.setenv("LEADERBOARD_WEBHOOK_SECRET_FILE", str(tmp_path / "not-mounted"))
    response = client.post("/api/v1/webhooks/hub", json=payload("org/nofile", "3" * 40),
                           headers={"X-Webhook-Secret": SECRET})
    assert response.status_code == 503
    assert "LEADERBOARD_WEBHOOK_SECRET_FILE" in response.json()["detail"]
    assert runs(airflow_api_server, "org/nofile") == []


def test_a_burst_of_the_same_event_queues_one_run(client, airflow_api_server):
    body = payload("org/burst", "4" * 40)

    def send(_):
        return client.post("/api/v1/webhooks/hub", json=body, headers={"X-Webhook-Secret": SECRET})

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(r.json()["status"] for r in pool.map(send, range(12)))
    # One run, whatever the answers: "queued" at least once, "duplicate" for the others (under
    # SQLite contention Airflow may answer a twin with a 500 after the run was written, and the
    # receiver then cannot tell which call queued it).
    assert len(runs(airflow_api_server, "org/burst")) == 1
    assert "queued" in statuses and set(statuses) <= {"queued", "duplicate"}, statuses


@pytest.mark.parametrize("changes, reason", [
    ({"repo": {"type": "dataset"}}, "not a model repo (type 'dataset')"),
    ({"event": {"action": "update", "scope": "discussion"}}, "not a content update"),
    ({"event": {"action": "delete", "scope": "repo"}}, "not a content update"),
    ({"updatedRefs": [{"ref": "refs/heads/dev", "oldSha": None, "newSha": "5" * 40}]}, "main was not updated"),
    ({"updatedRefs": [{"ref": "refs/heads/main", "oldSha": "5" * 40, "newSha": None}]}, "main was deleted"),
])
def test_only_pushes_to_main_of_model_repos_are_taken(client, airflow_api_server, changes, reason):
    response = client.post("/api/v1/webhooks/hub", json=payload("org/other", "5" * 40, **changes),
                           headers={"X-Webhook-Secret": SECRET})
    assert response.status_code == 200 and response.json() == {"status": "ignored", "reason": response.json()["reason"]}
    assert reason in response.json()["reason"]
    assert runs(airflow_api_server, "org/other") == []


@pytest.mark.parametrize("name, sha", [("../../etc", "6" * 40), ("org/x;reboot", "6" * 40), ("org/ok", "main")])
def test_malformed_names_and_shas_are_refused(client, airflow_api_server, name, sha):
    response = client.post("/api/v1/webhooks/hub", json=payload(name, sha), headers={"X-Webhook-Secret": SECRET})
    assert response.status_code == 422
    assert runs(airflow_api_server, name) == []


def test_the_api_app_serves_the_receiver():
    from leaderboard.api.app import create_app

    assert "/api/v1/webhooks/hub" in {route.path for route in create_app().routes}


def test_cli_submissions_carry_their_trigger_in_the_run_id(airflow_api_server):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from leaderboard.submissions import trigger_of

    cli = subprocess.run([str(Path(sys.executable).with_name("leaderboard")), "--airflow-url",
                          airflow_api_server.base_url, "submit", "--suite", "ci", "org/by-cli"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "AIRFLOW_PASSWORD": airflow_api_server.password})
    assert cli.returncode == 0, cli.stderr
    (run,) = runs(airflow_api_server, "org/by-cli")
    assert f": run {run['dag_run_id']}" in cli.stdout
    assert run["dag_run_id"].startswith("cli__org--by-cli__main__ci__") and trigger_of(run["dag_run_id"]) == "cli"


def test_a_trigger_refused_for_a_moment_is_retried(client, airflow_api_server, monkeypatch):
    """Airflow standalone on SQLite can answer a trigger with a 500 while its database is locked:
    the receiver retries instead of losing the event."""
    real = webhook.airflow_api()
    refusals = []

    class BusyForAMoment:
        def __getattr__(self, name):
            return getattr(real, name)

        def trigger(self, *args):
            if len(refusals) < 2:
                refusals.append(args)
                raise RuntimeError("POST /api/v2/dags/evaluate_model/dagRuns -> 500: database is locked")
            return real.trigger(*args)

    monkeypatch.setattr(webhook, "TRIGGER_RETRY_PAUSES_S", (0.01, 0.01, 0.01))
    client.app.dependency_overrides[webhook.airflow_client] = lambda: BusyForAMoment
    sha = "7" * 40
    response = client.post("/api/v1/webhooks/hub", json=payload("org/busy", sha), headers={"X-Webhook-Secret": SECRET})
    assert response.status_code == 202, response.text
    assert len(refusals) == 2
    (run,) = runs(airflow_api_server, "org/busy")
    assert run["dag_run_id"] == f"webhook__org--busy__{sha}__ci"
