"""Builds a real published snapshot from synthetic results, through the package API.

The warehouse is filled by the package's writers (record_suite, upsert_result) and the snapshot
is made by publish(); models, sandbox verdicts and the submission lifecycle are written with
plain SQL into the schema's own columns (every column the dashboard reads, NULLs included). Two publications are made, so the history has something to show."""

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
# model -> metadata. model_type and hub_url as the Hub source records them; NULLs on purpose.
METADATA = {
    "acme/strong-7b": {"parameters": 7_000_000_000, "precision": "bfloat16", "license": "apache-2.0",
                       "model_type": "chat", "hub_url": "https://huggingface.co/acme/strong-7b"},
    "acme/mid-1b": {"parameters": 1_000_000_000, "precision": "float16", "license": "mit",
                    "model_type": "fine-tuned", "hub_url": None},
    "other/weak-tiny": {"parameters": 100_000_000, "precision": "float32", "license": None,
                        "model_type": "pretrained", "hub_url": None},
    "other/partial-3b": {"parameters": 3_000_000_000, "precision": "bfloat16", "license": "apache-2.0",
                         "model_type": None, "hub_url": None},
}
FIRST_PUBLISH = "2026-01-03T12:00:00+00:00"  # before acme/mid-1b was loaded
SECOND_PUBLISH = "2026-01-04T00:00:00+00:00"
EXECUTED = "acme/strong-7b"  # its gsm8k samples carry sandbox verdicts, as a code benchmark's would


def suite_version(suite_name: str) -> str:
    return fixture_suite(suite_name).version(HARNESS)


def model_info(model_id: str) -> ModelInfo:
    meta = METADATA.get(model_id, {"parameters": 7_000_000, "precision": "bfloat16", "license": "apache-2.0"})
    return ModelInfo(model_id=model_id, revision=f"rev-{model_id.split('/')[1]}", source="local",
                     architecture="LlamaForCausalLM", parameters=meta["parameters"], precision=meta["precision"],
                     license=meta["license"], base_model=None)


def record_model(con, info: ModelInfo, model_type: str | None, hub_url: str | None) -> None:
    """The models row, with the Hub metadata columns of the schema (NULL when not given)."""
    con.execute("""
        INSERT OR REPLACE INTO models (model_id, revision, source, architecture, parameters, precision, license,
            base_model, model_type, hub_url)
        VALUES ($model_id, $revision, $source, $architecture, $parameters, $precision, $license, $base_model,
            $model_type, $hub_url)""",
                {**{k: getattr(info, k) for k in ("model_id", "revision", "source", "architecture", "parameters",
                                                  "precision", "license", "base_model")},
                 "model_type": model_type, "hub_url": hub_url})


def record_execution(con, model_id: str, benchmark: str) -> None:
    """Sandbox verdicts on a result's samples: correct ones passed, the others fail or time out."""
    con.execute("""
        UPDATE samples SET
            execution_status = CASE WHEN verdict = 'correct' THEN 'pass' WHEN doc_id % 2 = 0 THEN 'fail' ELSE 'timeout' END,
            execution_detail = CASE WHEN verdict = 'correct' THEN NULL WHEN doc_id % 2 = 0
                               THEN 'AssertionError: test 1 failed' ELSE 'killed after 10 s' END
        WHERE result_id IN (SELECT result_id FROM results WHERE model_id = ? AND benchmark = ?)""",
                [model_id, benchmark])


def record_submission(con, submission_id: str, model_id: str, suite_name: str, revision: str | None,
                      events: list[tuple[str, str | None, str]], trigger: str = "cli") -> None:
    """A submission with its status history; its row holds the last event's status."""
    status, reason, at = events[-1]
    final = status in ("completed", "failed", "rejected")
    con.execute("""
        INSERT OR REPLACE INTO submissions (submission_id, model_id, requested_revision, revision, suite,
            suite_version, status, reason, benchmarks, submitted_at, finished_at, trigger, updated_at)
        VALUES (?, ?, 'main', ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)""",
                [submission_id, model_id, revision, suite_name, suite_version(suite_name) if revision else None,
                 status, reason, events[0][2], at if final else None, trigger, at])
    con.executemany("INSERT INTO submission_events VALUES (?, ?, ?, ?)",
                    [[submission_id, s, r, t] for s, r, t in events])


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
    meta = METADATA.get(model_id, {})
    record_model(con, info, meta.get("model_type"), meta.get("hub_url"))
    for suite_name, scores in per_suite.items():
        for benchmark, score in scores.items():
            warehouse.upsert_result(con, make_result(info, suite_name, benchmark, score, finished_at), f"run-{model_id}")
        complete = len(scores) == 2
        record_submission(con, f"run-{model_id}-{suite_name}", model_id, suite_name, info.revision, [
            ("pending", None, "2026-01-01T00:00:00+00:00"),
            ("validating", None, "2026-01-01T00:00:01+00:00"),
            ("evaluating", None, "2026-01-01T00:00:02+00:00"),
            ("completed", None, finished_at) if complete else ("failed", "arc_easy: harness timed out", finished_at),
        ])
    if model_id == EXECUTED:
        record_execution(con, model_id, "gsm8k")


def build_snapshot(home: Path) -> dict:
    """Two publications: the first without acme/mid-1b, the second with every model. Returns the second's."""
    published = home / "published" / "leaderboard.duckdb"
    with warehouse.connect(home / "warehouse.duckdb") as con:
        for name in ("ci", "smoke"):
            warehouse.record_suite(con, fixture_suite(name), suite_version(name), HARNESS, "2026-01-01T00:00:00+00:00")
        for model_id, per_suite in SCORES.items():
            if model_id != "acme/mid-1b":
                load_model(con, model_id, per_suite, "2026-01-02T00:00:00+00:00")
        publish(con, published, FIRST_PUBLISH)
        load_model(con, "acme/mid-1b", SCORES["acme/mid-1b"], "2026-01-02T00:00:00+00:00")
        record_submission(con, "run-rejected", "acme/broken", "smoke", None, [
            ("pending", None, "2026-01-03T00:00:00+00:00"),
            ("validating", None, "2026-01-03T00:00:00.500000+00:00"),
            ("rejected", REJECTED_REASON, "2026-01-03T00:00:01+00:00")], trigger="webhook")
        record_submission(con, "manual__2026-01-03T18:00:00+00:00", "acme/queued-13b", "smoke", None, [
            ("pending", None, "2026-01-03T18:00:00+00:00")], trigger="manual")
        record_submission(con, "run-acme/busy-2b-smoke", "acme/busy-2b", "smoke", "rev-busy", [
            ("pending", None, "2026-01-03T19:00:00+00:00"),
            ("validating", None, "2026-01-03T19:00:01+00:00"),
            ("evaluating", None, "2026-01-03T19:00:02+00:00")], trigger="poll")
        return publish(con, published, SECOND_PUBLISH)
