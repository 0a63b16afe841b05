"""Tests of the evaluation harness. They run in the eval environment, which has lm-eval but
not Airflow or the platform's other dependencies:

    .venvs/eval/bin/python -m pytest tests/harness -q -p no:cacheprovider

The harness modules are imported from eval_images/harness; the platform's catalogue (pure
Python + PyYAML) is imported from include/ only to build the jobs the platform would send."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

# Collected by the platform's pytest too (`pytest tests`): there, without lm-eval, skip this folder.
if importlib.util.find_spec("lm_eval") is None or importlib.util.find_spec("math_verify") is None:
    collect_ignore_glob = ["test_*.py"]

REPO = Path(__file__).resolve().parents[2]
HARNESS = REPO / "eval_images" / "harness"
SHARED_BENCHMARKS = Path(os.environ.get("LEADERBOARD_BENCHMARKS_DIR") or REPO.parent / "shared" / "benchmarks")
for folder in (HARNESS, REPO / "include"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path_factory):
    """No Hub access, and datasets' cache in a temporary folder."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path_factory.getbasetemp() / "hf-datasets"))


def make_job(benchmark: str, limit: int | None = 2) -> dict:
    """The job the platform sends for one benchmark (the parts the harness reads to render tasks)."""
    from leaderboard.catalogue import load_catalogue

    bench = load_catalogue().benchmark(benchmark)
    return {"job_id": f"test/{benchmark}", "benchmark": bench.job_spec(limit, SHARED_BENCHMARKS),
            "data_dir": str(SHARED_BENCHMARKS), "model": {"id": "org/model", "revision": "rev"},
            "suite": {"name": "test", "version": "v"},
            "runtime": {"device": "cpu", "dtype": "float32", "batch_size": 1, "seed": 1234}}
