"""Read access to the published snapshot, and nothing else.

Each query opens a read-only connection and closes it at once, so the dashboard never holds
the file between reruns (a held reader would block the publisher). Results are cached for 30 s,
keyed also by the file's identity (inode, mtime, size): a publish swaps the file with os.replace,
so the next rerun sees the new one.

The live status files beside it (leaderboard.live: submissions in flight, each benchmark's
progress) are small and read afresh on every call, so the Queue page can refresh every few
seconds; they exist also before the first publish."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import transforms
from leaderboard import live
from leaderboard.settings import load_settings
from leaderboard.warehouse import open_read_only, sql as package_sql

QUERIES_DIR = Path(__file__).parent / "queries"
AIRFLOW_URL_ENV = "LEADERBOARD_AIRFLOW_URL"
AIRFLOW_URL_DEFAULT = "http://127.0.0.1:8080"
SUBMISSION_DAG = "evaluate_model"  # a submission id is the run id of this DAG


class SnapshotUnavailable(Exception):
    """The snapshot is missing, empty or unreadable. The message is meant for the reader."""


class NothingPublished(SnapshotUnavailable):
    """No snapshot has been published yet (the first run): the pages show the live state instead."""


@cache
def _sql(name: str) -> str:
    """dashboard/queries/<name>.sql, else the package's own query of that name (one copy each)."""
    local = QUERIES_DIR / f"{name}.sql"
    return local.read_text() if local.is_file() else package_sql(name)


def snapshot_path() -> Path:
    return load_settings().published_path


def airflow_url() -> str:
    return os.environ.get(AIRFLOW_URL_ENV, AIRFLOW_URL_DEFAULT)


@st.cache_data(ttl=30, max_entries=256, show_spinner=False)
def _fetch(path: str, identity: tuple[int, int, int], name: str, params: tuple[tuple[str, object], ...]) -> pd.DataFrame:
    # identity (inode, mtime, size) is only part of the cache key.
    try:
        # Attached, not connect(path), which could hand back the file a publish has just replaced.
        con = open_read_only(Path(path))
    except duckdb.Error as exc:
        raise SnapshotUnavailable(f"The published snapshot at {path} cannot be read: {exc}") from None
    try:
        return con.execute(_sql(name), dict(params)).df()
    except duckdb.CatalogException as exc:
        raise SnapshotUnavailable(f"The published snapshot at {path} is empty or incomplete: {exc}") from None
    except duckdb.BinderException as exc:  # a column this dashboard reads is missing
        raise SnapshotUnavailable(f"The published snapshot at {path} was written by an older version of the "
                                  f"pipeline; publish again to update it: {exc}") from None
    finally:
        con.close()


def _identity() -> tuple[str, tuple[int, int, int]]:
    """The published file and what tells one published version of it from the next."""
    path = snapshot_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise NothingPublished(
            "No leaderboard has been published yet: it appears here as soon as the first evaluation "
            "finishes.") from None
    if stat.st_size == 0:
        raise SnapshotUnavailable(f"The published snapshot at {path} is empty.")
    return str(path), (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def query(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters against the current snapshot."""
    path, identity = _identity()
    return _fetch(path, identity, name, tuple(sorted(params.items())))


def publication() -> dict:
    rows = query("publication")
    if rows.empty:
        raise SnapshotUnavailable("The published snapshot has no publication record.")
    return rows.iloc[0].to_dict()


def tracks() -> pd.DataFrame:
    return query("tracks")


def track_leaderboard(suite_version: str) -> pd.DataFrame:
    return query("track_leaderboard", suite_version=suite_version)


def snapshots() -> pd.DataFrame:
    """Every publication, newest first (the "as of" choices)."""
    return query("snapshots")


def snapshot_file(relative: str) -> str:
    """The absolute path of a snapshot parquet file named in `snapshots.file`."""
    path = snapshot_path().parent / relative
    if not path.is_file():
        raise SnapshotUnavailable(f"The snapshot file {path} is missing from the published folder.")
    return str(path)


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def _leaderboard_frame(path: str, identity: tuple[int, int, int], suite_version: str,
                       file: str | None) -> pd.DataFrame:
    def fetch(name, **params):
        return _fetch(path, identity, name, tuple(sorted(params.items())))
    if file is None:
        board = fetch("track_leaderboard", suite_version=suite_version)
        scores = fetch("track_scores", suite_version=suite_version)
    else:
        board = fetch("snapshot_leaderboard", suite_version=suite_version, file=file)
        scores = fetch("snapshot_scores", suite_version=suite_version, file=file)
    return transforms.leaderboard_frame(board, scores, fetch("track_benchmarks", suite_version=suite_version))


def leaderboard_frame(suite_version: str, file: str | None = None) -> pd.DataFrame:
    """The typed leaderboard table of a track (transforms.leaderboard_frame): the current one,
    or that of the snapshot parquet `file` (absolute path)."""
    path, identity = _identity()
    return _leaderboard_frame(path, identity, suite_version, file)


def top_models_history(suite_version: str, k: int = 10) -> pd.DataFrame:
    return query("top_models_history", suite_version=suite_version, k=k)


def model_history(model_id: str, suite_version: str) -> pd.DataFrame:
    """The model's rank and score on a track at every publication (leaderboard.history's query)."""
    return query("history_model", model_id=model_id, suite_version=suite_version)


def submission_events(model_id: str | None = None) -> pd.DataFrame:
    return query("submission_events", model_id=model_id)


def track_scores(suite_version: str) -> pd.DataFrame:
    return query("track_scores", suite_version=suite_version)


def track_benchmarks(suite_version: str) -> pd.DataFrame:
    return query("track_benchmarks", suite_version=suite_version)


def model_ids() -> list[str]:
    return query("model_ids")["model_id"].tolist()


def model_tracks(model_id: str) -> pd.DataFrame:
    return query("model_tracks", model_id=model_id)


def _first_row(rows: pd.DataFrame) -> dict | None:
    """The first row as a dict, with SQL NULLs as None (pandas turns them into NaN)."""
    if rows.empty:
        return None
    return {k: None if v is pd.NA or (isinstance(v, float) and v != v) else v for k, v in rows.iloc[0].items()}


def model_info(model_id: str, revision: str) -> dict | None:
    return _first_row(query("model_info", model_id=model_id, revision=revision))


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


def live_status() -> live.LiveView:
    """The live status files, read now (a few small files; never raises on a bad one)."""
    return live.read_live(load_settings().published_dir)


@dataclass
class Queue:
    """The Queue page's data: every submission (published and live merged, see
    transforms.queue_frame), the live records (with their benchmarks), the live files that could
    not be read, and why the published part is missing, if it is (None when it is there)."""

    frame: pd.DataFrame
    live: list[dict]
    problems: list[str]
    snapshot_note: str | None

    @property
    def published(self) -> bool:
        return self.snapshot_note is None


def queue() -> Queue:
    view = live_status()
    note = None
    try:
        published = submissions()
    except SnapshotUnavailable as exc:
        published, note = pd.DataFrame(), str(exc)
    return Queue(transforms.queue_frame(published, view.submissions), view.submissions, view.problems, note)
