"""Read access to the published snapshot, and nothing else.

Each query opens a read-only connection and closes it at once, so the dashboard never holds
the file. Results are cached for 30 s, keyed also by the file's mtime: a new publish (an
os.replace of the file) shows up on the next rerun."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from leaderboard.settings import load_settings
from leaderboard.warehouse import sql as package_sql

QUERIES_DIR = Path(__file__).parent / "queries"


class SnapshotUnavailable(Exception):
    """The snapshot is missing, empty or unreadable. The message is meant for the reader."""


@cache
def _sql(name: str) -> str:
    """dashboard/queries/<name>.sql, else the package's own query of that name (one copy each)."""
    local = QUERIES_DIR / f"{name}.sql"
    return local.read_text() if local.is_file() else package_sql(name)


def snapshot_path() -> Path:
    return load_settings().published_path


@st.cache_data(ttl=30, max_entries=256, show_spinner=False)
def _fetch(path: str, mtime_ns: int, name: str, params: tuple[tuple[str, object], ...]) -> pd.DataFrame:
    # mtime_ns is only part of the cache key.
    try:
        # No replacement scans: a missing table must not resolve to a Python variable of that name.
        con = duckdb.connect(path, read_only=True, config={"python_enable_replacements": False})
    except duckdb.Error as exc:
        raise SnapshotUnavailable(f"The published snapshot at {path} cannot be read: {exc}") from None
    try:
        return con.execute(_sql(name), dict(params)).df()
    except duckdb.CatalogException as exc:
        raise SnapshotUnavailable(f"The published snapshot at {path} is empty or incomplete: {exc}") from None
    finally:
        con.close()


def query(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters against the current snapshot."""
    path = snapshot_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise SnapshotUnavailable(
            f"No leaderboard has been published yet. The dashboard reads {path}, which does not exist: "
            "run the publish step (the publish_leaderboard task) first.") from None
    if stat.st_size == 0:
        raise SnapshotUnavailable(f"The published snapshot at {path} is empty.")
    return _fetch(str(path), stat.st_mtime_ns, name, tuple(sorted(params.items())))


def publication() -> dict:
    rows = query("publication")
    if rows.empty:
        raise SnapshotUnavailable("The published snapshot has no publication record.")
    return rows.iloc[0].to_dict()


def tracks() -> pd.DataFrame:
    return query("tracks")


def track_leaderboard(suite_version: str) -> pd.DataFrame:
    return query("track_leaderboard", suite_version=suite_version)


def track_scores(suite_version: str) -> pd.DataFrame:
    return query("track_scores", suite_version=suite_version)


def track_benchmarks(suite_version: str) -> pd.DataFrame:
    return query("track_benchmarks", suite_version=suite_version)


def model_ids() -> list[str]:
    return query("model_ids")["model_id"].tolist()


def model_tracks(model_id: str) -> pd.DataFrame:
    return query("model_tracks", model_id=model_id)


def model_info(model_id: str, revision: str) -> dict | None:
    rows = query("model_info", model_id=model_id, revision=revision)
    return None if rows.empty else rows.iloc[0].to_dict()


def model_standing(model_id: str, suite_version: str, revision: str) -> dict | None:
    rows = query("model_standing", model_id=model_id, suite_version=suite_version, revision=revision)
    return None if rows.empty else rows.iloc[0].to_dict()


def model_results(model_id: str, suite_version: str, revision: str) -> pd.DataFrame:
    return query("model_results", model_id=model_id, suite_version=suite_version, revision=revision)


def model_samples(model_id: str, suite_version: str, revision: str,
                  verdict: str | None = None, benchmark: str | None = None) -> pd.DataFrame:
    return query("model_samples", model_id=model_id, suite_version=suite_version, revision=revision,
                 verdict=verdict, benchmark=benchmark)


def submissions() -> pd.DataFrame:
    return query("submissions")


def changelog() -> pd.DataFrame:
    """Every suite version (leaderboard track) and what changed against the previous one."""
    return query("suite_changelog", suite=None)
