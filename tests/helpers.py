"""Helpers shared by the end-to-end and docker tests (no side effects on import)."""

from __future__ import annotations

from pathlib import Path

import duckdb

SMOLLM = "HuggingFaceTB/SmolLM2-135M-Instruct"


def run_evaluate_model(dagbag, **conf):
    # Every param explicit: dag.test() on a reused DAG object keeps the previous run's conf.
    return dagbag.get_dag("evaluate_model").test(run_conf={"suite": "ci", "revision": "main", **conf})


def query(path: Path, sql: str, params=None) -> list[tuple]:
    """Read a DuckDB file read-only and close it at once."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
