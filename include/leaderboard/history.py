"""Snapshot history: the leaderboard as of a date, one model over time, the diff of two snapshots.

Each function takes a connection to a database holding snapshot_log, snapshot_rows and
snapshots: the published file (readers) or the warehouse (the writer). The SQL lives in
sql/history_*.sql."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leaderboard.warehouse import read_only, sql

open_published = read_only  # a short-lived read-only connection to a published file


def leaderboard_as_of(con, at: str, suite_version: str | None = None) -> pd.DataFrame:
    """The rows of the snapshot that was current at `at` (empty before the first publication)."""
    return con.execute(sql("history_as_of"), {"at": at, "suite_version": suite_version}).df()


def model_history(con, model_id: str, suite_version: str | None = None) -> pd.DataFrame:
    """The model's rank and score at every publication, oldest first."""
    return con.execute(sql("history_model"), {"model_id": model_id, "suite_version": suite_version}).df()


def diff(con, old: str | None, new: str) -> pd.DataFrame:
    """What changed from snapshot `old` to snapshot `new` (old None: everything is added)."""
    return con.execute(sql("history_diff"), {"old": old, "new": new}).df()


def last_two(con) -> tuple[str | None, str]:
    """The ids of the last two distinct snapshots published, oldest first."""
    rows = con.execute(
        "SELECT snapshot_id FROM snapshot_log ORDER BY published_at DESC, seq DESC").fetchall()
    if not rows:
        raise LookupError("nothing has been published yet")
    new = rows[0][0]
    old = next((sid for (sid,) in rows if sid != new), None)
    return old, new
