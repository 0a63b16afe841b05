"""The DuckDB warehouse. Only the pooled Airflow tasks open it, one at a time."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

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
        _migrate(con)
        yield con
    finally:
        con.close()


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a warehouse from an older schema up to date, keeping every stored row."""
    old_submissions = con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'submissions' "
        "AND constraint_type = 'CHECK' AND constraint_text NOT LIKE '%pending%'").fetchall()[0][0]
    if old_submissions:  # only final states were allowed, and finished_at was required
        with transaction(con):
            con.execute("ALTER TABLE submissions RENAME TO submissions_before_lifecycle")
            con.execute(sql("schema"))
            con.execute("INSERT INTO submissions BY NAME SELECT * FROM submissions_before_lifecycle")
            con.execute("UPDATE submissions SET updated_at = finished_at WHERE updated_at IS NULL")
            con.execute("DROP TABLE submissions_before_lifecycle")


READ_ONLY_ALIAS = "snapshot"


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """`path` attached read-only (as the default catalog) to a private in-memory database.

    Not duckdb.connect(path): DuckDB caches databases by path within a process, so after the
    publisher's os.replace, connect(path) hands back the old file for as long as any connection
    to it is still open somewhere in the process."""
    con = duckdb.connect(":memory:", config={"python_enable_replacements": False})
    try:
        quoted = str(path).replace("'", "''")  # ATTACH takes no bound parameters; the path is configuration
        con.execute(f"ATTACH '{quoted}' AS {READ_ONLY_ALIAS} (READ_ONLY)")
        con.execute(f"USE {READ_ONLY_ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def read_only(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection, for readers of published files (see open_read_only)."""
    con = open_read_only(path)
    try:
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


RESULT_COLUMNS = ("result_id", "model_id", "revision", "suite", "suite_version", "benchmark", "benchmark_version",
                  "primary_metric", "score", "stderr", "n_samples", "metrics", "evaluated_at", "run_id", "document")
SAMPLE_COLUMNS = ("result_id", "doc_id", "prompt", "output", "extracted", "target", "verdict", "score", "metrics",
                  "execution_status", "execution_detail")


def upsert_results(con, results, samples) -> None:
    """Replace a batch of results and their samples in one transaction. `results` and `samples`
    are Arrow tables or DataFrames with RESULT_COLUMNS and SAMPLE_COLUMNS (evaluated_at as an ISO
    string or timestamp, metrics and document as JSON text). A result whose stderr is null gets
    the standard error of its item scores."""
    con.register("incoming_results", results)
    con.register("incoming_samples", samples)
    try:
        with transaction(con):
            con.execute(sql("delete_samples"))
            con.execute(sql("upsert_results"))
            con.execute(sql("insert_samples"))
    finally:
        con.unregister("incoming_results")
        con.unregister("incoming_samples")


def upsert_result(con, result: ValidatedResult, run_id: str) -> str:
    """Replace the result (and its samples) for its key. Returns the result id."""
    doc = result.document
    rid = result_id(doc["model"]["id"], doc["model"]["revision"], doc["benchmark"]["name"], doc["suite"]["version"])
    row = {
        "result_id": rid, "model_id": doc["model"]["id"], "revision": doc["model"]["revision"],
        "suite": doc["suite"]["name"], "suite_version": doc["suite"]["version"],
        "benchmark": doc["benchmark"]["name"], "benchmark_version": doc["benchmark"]["version"],
        "primary_metric": doc["primary_metric"], "score": float(result.primary["value"]),
        "stderr": None if result.primary["stderr"] is None else float(result.primary["stderr"]),
        "n_samples": doc["n_samples"], "metrics": canonical_json(doc["metrics"]),
        "evaluated_at": doc["timings"]["finished_at"], "run_id": run_id, "document": canonical_json(doc),
    }
    results = pa.Table.from_pylist([row], schema=_RESULTS_SCHEMA)
    samples = pa.Table.from_pylist([
        {"result_id": rid, "doc_id": s["doc_id"], "prompt": s["prompt"], "output": s["output"],
         "extracted": s.get("extracted"), "target": s["target"], "verdict": s["verdict"], "score": float(s["score"]),
         "metrics": canonical_json(s.get("metrics") or {}),
         # code benchmarks: the sandbox's verdict on the (first) completion; NULL elsewhere
         "execution_status": s.get("execution_status"), "execution_detail": s.get("execution_detail")}
        for s in result.samples
    ], schema=_SAMPLES_SCHEMA)
    upsert_results(con, results, samples)
    return rid


_RESULTS_SCHEMA = pa.schema([
    ("result_id", pa.string()), ("model_id", pa.string()), ("revision", pa.string()), ("suite", pa.string()),
    ("suite_version", pa.string()), ("benchmark", pa.string()), ("benchmark_version", pa.int32()),
    ("primary_metric", pa.string()), ("score", pa.float64()), ("stderr", pa.float64()), ("n_samples", pa.int32()),
    ("metrics", pa.string()), ("evaluated_at", pa.string()), ("run_id", pa.string()), ("document", pa.string()),
])
_SAMPLES_SCHEMA = pa.schema([
    ("result_id", pa.string()), ("doc_id", pa.int32()), ("prompt", pa.string()), ("output", pa.string()),
    ("extracted", pa.string()), ("target", pa.string()), ("verdict", pa.string()), ("score", pa.float64()),
    ("metrics", pa.string()), ("execution_status", pa.string()), ("execution_detail", pa.string()),
])


def record_submission(con, submission: dict) -> None:
    """Store a submission's new state and append it to its history (submission_events)."""
    benchmarks = submission.get("benchmarks")
    row = {"trigger": None, "updated_at": submission.get("finished_at"), **submission,
           "benchmarks": None if benchmarks is None else canonical_json(benchmarks)}
    with transaction(con):
        con.execute(sql("upsert_submission"), row)
        con.execute(sql("insert_submission_event"), {k: row[k] for k in ("submission_id", "status", "reason",
                                                                        "updated_at")})
