"""The API over the snapshot the real pipeline published for the demo model (SmolLM2 evaluated
by the evaluate_model DAG on the ci suite; the session fixture is shared with the e2e tests)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from leaderboard.api import create_app
from tests.helpers import SMOLLM

pytestmark = pytest.mark.e2e
API = "/api/v1"


def test_demo_model_is_served(local_ci_runs):
    settings = local_ci_runs["settings"]
    client = TestClient(create_app(settings))
    board = client.get(f"{API}/leaderboard", params={"track": "ci"}).json()
    assert [(r["model_id"], r["rank"]) for r in board["rows"]] == [(SMOLLM, 1)]
    assert {s["benchmark"] for s in board["rows"][0]["scores"]} == {"arc_easy", "gsm8k"}

    model = client.get(f"{API}/models/{SMOLLM}").json()
    assert {r["benchmark"]: r["n_samples"] for r in model["results"]} == {"arc_easy": 12, "gsm8k": 2}
    assert all(r["manifest"]["model"]["id"] == SMOLLM for r in model["results"])
    assert [s["status"] for s in model["submissions"]] == ["completed", "completed"]
    assert model["history"] and model["history"][-1]["snapshot_id"] == board["snapshot_id"]

    samples = client.get(f"{API}/models/{SMOLLM}/samples", params={"benchmark": "gsm8k"}).json()
    assert samples["total"] == 2 and {s["benchmark"] for s in samples["samples"]} == {"gsm8k"}
    correct = client.get(f"{API}/models/{SMOLLM}/samples", params={"verdict": "correct", "limit": 500}).json()
    assert all(s["verdict"] == "correct" for s in correct["samples"])

    exported = list(csv.DictReader(io.StringIO(client.get(f"{API}/export/leaderboard.csv",
                                                          params={"track": "ci"}).text)))
    assert [r["model_id"] for r in exported] == [SMOLLM]
    dump = client.get(f"{API}/export/leaderboard.duckdb")
    assert dump.content == settings.published_path.read_bytes()
