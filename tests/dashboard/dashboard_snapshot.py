"""Builds a real published snapshot from synthetic results, through the package API."""

from __future__ import annotations

import sys
from pathlib import Path

from leaderboard import warehouse
from leaderboard.catalogue import Suite, SuiteEntry, load_catalogue
from leaderboard.model_source import ModelInfo
from leaderboard.publish import publish
from leaderboard.results import ValidatedResult

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # the dashboard package is not installed: importing this module makes it importable
    sys.path.insert(0, str(REPO_ROOT))
APP = REPO_ROOT / "dashboard" / "app.py"
HARNESS = "test-harness"
N = 10  # samples per result


def fixture_suite(name: str) -> Suite:
    """The fixture's own two-benchmark suites, built from the real catalogue's benchmarks."""
    catalogue = load_catalogue()
    return Suite(name, f"dashboard fixture {name}", tuple(
        SuiteEntry(catalogue.benchmark(b), N) for b in ("gsm8k", "arc_easy")))
# model -> suite -> benchmark -> raw score (a multiple of 1/N). Random baselines: gsm8k 0, arc_easy 0.25.
SCORES = {
    "acme/strong-7b": {"smoke": {"gsm8k": 0.8, "arc_easy": 0.9}, "ci": {"gsm8k": 0.5, "arc_easy": 0.5}},
    "acme/mid-1b": {"smoke": {"gsm8k": 0.5, "arc_easy": 0.6}},
    "other/weak-tiny": {"smoke": {"gsm8k": 0.0, "arc_easy": 0.3}},
    "other/partial-3b": {"smoke": {"gsm8k": 0.4}},  # no arc_easy: incomplete
}
REJECTED_REASON = "model acme/broken: architecture FooForCausalLM is not supported"


def suite_version(suite_name: str) -> str:
    return fixture_suite(suite_name).version(HARNESS)


def model_info(model_id: str) -> ModelInfo:
    return ModelInfo(model_id=model_id, revision=f"rev-{model_id.split('/')[1]}", source="local",
                     architecture="LlamaForCausalLM", parameters=7_000_000, precision="bfloat16",
                     license="apache-2.0", base_model=None)


def make_result(model: ModelInfo, suite_name: str, benchmark: str, score: float, finished_at: str) -> ValidatedResult:
    b = load_catalogue().benchmark(benchmark)
    n_correct = round(score * N)
    samples = [{"doc_id": i, "prompt": f"{benchmark} question {i}?", "output": f"answer {i}",
                "extracted": None, "target": f"answer {i}" if i < n_correct else "something else",
                "score": 1.0 if i < n_correct else 0.0, "verdict": "correct" if i < n_correct else "incorrect",
                "metrics": {}} for i in range(N)]
    document = {
        "schema_version": 1, "job_id": f"run-{model.model_id}/{benchmark}",
        "model": {"id": model.model_id, "revision": model.revision, "dtype": "float32"},
        "benchmark": {"name": benchmark, "version": b.version, "task_config_sha256": b.task_config_sha256,
                      "dataset_sha256": b.dataset_sha256, "num_fewshot": b.num_fewshot, "limit": N},
        "suite": {"name": suite_name, "version": suite_version(suite_name)},
        "primary_metric": b.primary_metric,
        "metrics": {b.primary_metric: {"value": score, "stderr": 0.01}},
        "n_samples": N, "samples_file": "samples.jsonl", "samples_sha256": "0" * 64,
        "versions": {"lm_eval": "0.4.99-test", "transformers": "5.0.0", "torch": "2.9.0", "python": "3.11.7"},
        "runtime": {"device": "cpu", "hardware": "test CPU", "batch_size": 8, "seed": 1234, "environment": {}},
        "timings": {"started_at": "2026-01-01T00:00:00+00:00", "finished_at": finished_at,
                    "model_load_seconds": 1.0, "eval_seconds": 2.0, "wall_seconds": 3.0, "generated_tokens": 0},
    }
    return ValidatedResult(document, samples)


def load_model(con, model_id: str, per_suite: dict, finished_at: str) -> None:
    info = model_info(model_id)
    warehouse.record_model(con, info)
    for suite_name, scores in per_suite.items():
        for benchmark, score in scores.items():
            warehouse.upsert_result(con, make_result(info, suite_name, benchmark, score, finished_at), f"run-{model_id}")
        warehouse.record_submission(con, {
            "submission_id": f"run-{model_id}-{suite_name}", "model_id": model_id, "requested_revision": "main",
            "revision": info.revision, "suite": suite_name, "suite_version": suite_version(suite_name),
            "status": "completed" if len(scores) == 2 else "failed",
            "reason": None if len(scores) == 2 else "arc_easy: harness timed out",
            "benchmarks": {}, "submitted_at": "2026-01-01T00:00:00+00:00", "finished_at": finished_at})


def build_snapshot(home: Path) -> dict:
    with warehouse.connect(home / "warehouse.duckdb") as con:
        for name in ("ci", "smoke"):
            warehouse.record_suite(con, fixture_suite(name), suite_version(name), HARNESS, "2026-01-01T00:00:00+00:00")
        for model_id, per_suite in SCORES.items():
            load_model(con, model_id, per_suite, "2026-01-02T00:00:00+00:00")
        warehouse.record_submission(con, {
            "submission_id": "run-rejected", "model_id": "acme/broken", "requested_revision": "main",
            "revision": None, "suite": "smoke", "suite_version": None, "status": "rejected",
            "reason": REJECTED_REASON, "benchmarks": {},
            "submitted_at": "2026-01-03T00:00:00+00:00", "finished_at": "2026-01-03T00:00:01+00:00"})
        return publish(con, home / "published" / "leaderboard.duckdb", "2026-01-04T00:00:00+00:00")
