"""The DuckDB warehouse. Only the pooled Airflow tasks open it, one at a time."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from leaderboard.catalogue import Suite
from leaderboard.hashing import canonical_json
from leaderboard.model_source import ModelInfo
from leaderboard.results import ValidatedResult

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


@contextmanager
def connect(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    # No replacement scans: a missing table must be an error, not a Python variable of that name.
    con = duckdb.connect(str(path), config={"python_enable_replacements": False})
    try:
        con.execute(sql("schema"))
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def result_id(model_id: str, revision: str, benchmark: str, suite_version: str) -> str:
    key = canonical_json([model_id, revision, benchmark, suite_version])
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def record_suite(con, suite: Suite, suite_version: str, harness: str, first_seen_at: str) -> None:
    definition = [
        {"benchmark": e.benchmark.name, "version": e.benchmark.version, "limit": e.limit,
         "task_config_sha256": e.benchmark.task_config_sha256, "dataset_sha256": e.benchmark.dataset_sha256}
        for e in suite.entries
    ]
    con.execute(sql("insert_suite_version"), {
        "suite_version": suite_version, "suite": suite.name, "description": suite.description,
        "harness_fingerprint": harness, "definition": canonical_json(definition), "first_seen_at": first_seen_at,
    })
    for e in suite.entries:
        b = e.benchmark
        con.execute(sql("upsert_suite_benchmark"), {
            "suite_version": suite_version, "benchmark": b.name, "benchmark_version": b.version,
            "title": b.title, "family": b.family, "primary_metric": b.primary_metric,
            "random_baseline": b.random_baseline, "item_limit": e.limit,
            "task_config_sha256": b.task_config_sha256, "dataset_sha256": b.dataset_sha256,
        })


def record_model(con, info: ModelInfo) -> None:
    con.execute(sql("upsert_model"), info.as_dict())


def upsert_result(con, result: ValidatedResult, run_id: str) -> str:
    """Replace the result (and its samples) for its key. Returns the result id."""
    doc = result.document
    rid = result_id(doc["model"]["id"], doc["model"]["revision"], doc["benchmark"]["name"], doc["suite"]["version"])
    samples = pd.DataFrame.from_records([
        {"doc_id": s["doc_id"], "prompt": s["prompt"], "output": s["output"], "extracted": s.get("extracted"),
         "target": s["target"], "verdict": s["verdict"], "score": float(s["score"]),
         "metrics": canonical_json(s.get("metrics") or {})}
        for s in result.samples
    ])
    with transaction(con):
        con.execute("DELETE FROM samples WHERE result_id = ?", [rid])
        con.execute(sql("upsert_result"), {
            "result_id": rid, "model_id": doc["model"]["id"], "revision": doc["model"]["revision"],
            "suite": doc["suite"]["name"], "suite_version": doc["suite"]["version"],
            "benchmark": doc["benchmark"]["name"], "benchmark_version": doc["benchmark"]["version"],
            "primary_metric": doc["primary_metric"], "score": result.primary["value"],
            "stderr": result.primary["stderr"], "n_samples": doc["n_samples"],
            "metrics": canonical_json(doc["metrics"]), "evaluated_at": doc["timings"]["finished_at"],
            "run_id": run_id, "document": canonical_json(doc),
        })
        con.register("incoming_samples", samples)
        try:
            con.execute(sql("insert_samples"), {"result_id": rid})
        finally:
            con.unregister("incoming_samples")
    return rid


def record_submission(con, submission: dict) -> None:
    con.execute(sql("upsert_submission"), {**submission, "benchmarks": canonical_json(submission.get("benchmarks") or {})})
