"""Leaderboard tracks over time: the changelog of suite versions, and which models a new
version of a suite must re-evaluate.

A suite's version is derived from its content, so a changed benchmark (a new version, another
task config or dataset) gives the suite a new version: a new track. Old tracks are never
rewritten. Both functions here read the published snapshot only, never the warehouse."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb

from leaderboard.catalogue import load_catalogue
from leaderboard.runners import harness_fingerprint
from leaderboard.settings import Settings, load_settings
from leaderboard.warehouse import read_only

SQL_DIR = Path(__file__).parent / "sql"


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


@contextmanager
def _snapshot(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The published snapshot, read-only; None while nothing has been published."""
    if not path.is_file():
        yield None
        return
    with read_only(path) as con:
        yield con


def _rows(con, query: str, params: dict) -> list[dict]:
    cursor = con.execute(query, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def changelog(con, suite: str | None = None) -> list[dict]:
    """Suite versions with first_seen_at and what changed against the previous version."""
    return _rows(con, _sql("suite_changelog"), {"suite": suite})


def suite_changelog(suite: str | None = None, settings: Settings | None = None) -> list[dict]:
    """The changelog as the published snapshot has it (empty before the first publication)."""
    settings = settings or load_settings()
    with _snapshot(settings.published_path) as con:
        return [] if con is None else changelog(con, suite)


def current_suite_version(suite: str) -> str:
    """The version the catalogue and harness give the suite now: the track new runs land on."""
    return load_catalogue().suite(suite).version(harness_fingerprint())


def reevaluation_plan(suite: str, from_version: str | None = None, settings: Settings | None = None) -> list[dict]:
    """One evaluate_model conf per model of the suite's older tracks (or of `from_version`)
    without a result on the current track; the model is pinned to the revision evaluated there."""
    settings = settings or load_settings()
    current = current_suite_version(suite)
    with _snapshot(settings.published_path) as con:
        if con is None:
            return []
        rows = _rows(con, _sql("reevaluation_candidates"),
                     {"suite": suite, "current_version": current, "from_version": from_version})
    return [{"model_id": r["model_id"], "revision": r["revision"], "suite": suite,
             "from_suite_version": r["from_version"], "to_suite_version": current} for r in rows]


def trigger_requests(plan: list[dict]) -> list[dict]:
    """TriggerDagRunOperator kwargs per planned model. The run id is derived from the model and
    the target track, so a retried or repeated re-evaluation never queues a model twice."""
    requests = []
    for item in plan:
        safe_model = item["model_id"].replace("/", "--")
        requests.append({
            "trigger_run_id": f"reevaluate__{item['to_suite_version']}__{safe_model}__{item['revision'][:12]}",
            "conf": {"model_id": item["model_id"], "revision": item["revision"], "suite": item["suite"]},
        })
    return requests
