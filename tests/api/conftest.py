"""Published snapshots for the API tests, built through the real code path: harness outputs
validated and loaded into a warehouse (tests/unit/builders.py), then leaderboard.publish."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from leaderboard import warehouse
from leaderboard.catalogue import load_catalogue
from leaderboard.model_source import ModelInfo
from leaderboard.publish import publish
from leaderboard.runners import harness_fingerprint
from leaderboard.settings import Settings
from tests.unit.builders import make_job, make_settings, valid_result
from tests.helpers import free_port, wait_until_healthy

REPO = Path(__file__).resolve().parents[2]
FIRST_AT = "2025-03-01T00:00:00+00:00"
SECOND_AT = "2025-03-02T00:00:00+00:00"

# model id -> (model_type, license, precision, parameters, arc_easy item scores, gsm8k item scores or None)
MODELS = {
    "org/alpha-7b": ("chat", "apache-2.0", "bfloat16", 7_000_000_000, [1, 1, 1, 0], [1, 1, 0, 0]),
    "org/beta-1b": ("pretrained", "mit", "float16", 1_000_000_000, [1, 0, 0, 0], [1, 0]),
    "other/gamma-70b": ("fine-tuned", "llama3", "bfloat16", 70_000_000_000, [1, 1, 1, 1], [1, 1, 1, 0]),
    "other/delta-3b": ("merge", "apache-2.0", "float32", 3_000_000_000, [1, 1, 0, 0], None),  # incomplete
    "org/eps-13b": ("adapter", "mit", "bfloat16", 13_000_000_000, [0, 0, 1, 0], [0, 0]),
}
LATE_MODEL = ("new/zeta-2b", ("pretrained", "apache-2.0", "bfloat16", 2_000_000_000, [1, 1, 0, 1], [1, 0, 1, 0]))


@dataclass
class Published:
    settings: Settings
    suite_version: str
    first: dict  # publish() results, oldest first
    second: dict

    @property
    def path(self) -> Path:
        return self.settings.published_path


def load_model(con, settings: Settings, root: Path, model_id: str, spec: tuple, run_id: str = "run-1") -> None:
    """One model's harness outputs, validated and upserted as the pipeline does."""
    model_type, license, precision, parameters, arc, gsm = spec
    revision = "rev-1"
    warehouse.record_model(con, ModelInfo(
        model_id=model_id, revision=revision, source="local", architecture="LlamaForCausalLM",
        parameters=parameters, precision=precision, license=license, base_model=None, model_type=model_type,
        hub_url=f"https://huggingface.co/{model_id}"))
    for benchmark, scores in (("arc_easy", arc), ("gsm8k", gsm)):
        if scores is None:
            continue
        job = make_job(settings, benchmark, model_id=model_id, revision=revision, run_id=run_id)
        job["benchmark"]["expected_samples"] = len(scores)
        out = root / "runs" / run_id / model_id / benchmark
        warehouse.upsert_result(con, valid_result(out, job, scores, 0.05), run_id)


def record_submissions(con) -> None:
    for sid, model_id, steps in (
        ("run-alpha", "org/alpha-7b", [("pending", None, "2025-02-28T10:00:00+00:00"),
                                       ("evaluating", None, "2025-02-28T10:01:00+00:00"),
                                       ("completed", None, "2025-02-28T11:00:00+00:00")]),
        ("run-bad", "org/broken", [("pending", None, "2025-02-28T12:00:00+00:00"),
                                   ("rejected", "org/broken: no safetensors weights", "2025-02-28T12:00:05+00:00")]),
        ("run-queued", "org/waiting", [("pending", None, "2025-02-28T13:00:00+00:00")]),
    ):
        for status, reason, at in steps:
            final = status in ("completed", "failed", "rejected")
            warehouse.record_submission(con, {
                "submission_id": sid, "model_id": model_id, "requested_revision": "main", "revision": None,
                "suite": "ci", "suite_version": None, "status": status, "reason": reason, "benchmarks": None,
                "submitted_at": steps[0][2], "finished_at": at if final else None, "trigger": "cli",
                "updated_at": at})


def build_published(root: Path) -> Published:
    """Two publications: the five MODELS, then the same plus LATE_MODEL."""
    settings = make_settings(root)
    catalogue, harness = load_catalogue(), harness_fingerprint()
    suite = catalogue.suite("ci")
    version = suite.version(harness)
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.record_suite(con, suite, version, harness, FIRST_AT)
        for model_id, spec in MODELS.items():
            load_model(con, settings, root, model_id, spec)
        record_submissions(con)
        first = publish(con, settings.published_path, FIRST_AT)
        load_model(con, settings, root, *LATE_MODEL, run_id="run-2")
        second = publish(con, settings.published_path, SECOND_AT)
    return Published(settings, version, first, second)


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Published:
    """Shared, read-only: tests that publish build their own."""
    return build_published(tmp_path_factory.mktemp("api-published"))


@pytest.fixture(scope="session")
def client(published):
    from fastapi.testclient import TestClient

    from leaderboard.api import create_app
    with TestClient(create_app(published.settings)) as c:
        yield c


@pytest.fixture(scope="session")
def live_api(published):
    """`python -m leaderboard.api` on a free loopback port, serving the shared snapshot."""
    port = free_port()
    env = {**os.environ, "LEADERBOARD_HOME": str(published.settings.home), "LEADERBOARD_API_HOST": "127.0.0.1",
           "LEADERBOARD_API_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "leaderboard.api"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_healthy(f"{url}/api/v1/health", proc, timeout_s=30, poll_s=0.2):
            proc.kill()
            pytest.fail(f"the API did not start: {proc.communicate()[0]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
