"""Helpers shared by the end-to-end and docker tests (no side effects on import)."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
SMOLLM = "HuggingFaceTB/SmolLM2-135M-Instruct"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_evaluate_model(dagbag, **conf):
    # Every param explicit: dag.test() on a reused DAG object keeps the previous run's conf.
    return dagbag.get_dag("evaluate_model").test(run_conf={"suite": "ci", "revision": "main", "rerun": False, **conf})


@contextmanager
def environment(**variables: str):
    """Set environment variables for the block only (the DAG reads its settings from them)."""
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def query(path: Path, sql: str, params=None) -> list[tuple]:
    """Read a DuckDB file read-only and close it at once."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
