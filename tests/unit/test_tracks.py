"""A changed benchmark gives its suites new versions: new tracks beside the old, untouched ones;
the changelog says what changed; the re-evaluation plan queues the old track's models."""

from __future__ import annotations

import copy

import duckdb
import pytest
import yaml

import leaderboard.tracks as tracks
from builders import model_info, valid_result
from leaderboard import warehouse
from leaderboard.catalogue import CATALOGUE_PATH, parse_catalogue
from leaderboard.pipeline import build_job
from leaderboard.publish import publish

RAW = yaml.safe_load(CATALOGUE_PATH.read_text())


def catalogue_with_arc_easy_v2():
    raw = copy.deepcopy(RAW)
    raw["benchmarks"]["arc_easy"]["version"] = 2
    raw["benchmarks"]["arc_easy"]["task"] = {**raw["benchmarks"]["arc_easy"]["task"], "num_fewshot": 5}
    return parse_catalogue(raw)


def evaluate(con, tmp_path, catalogue, harness, model_id, scores, at):
    """Record the ci suite's version and one model's arc_easy result on it, as load_results does."""
    suite = catalogue.suite("ci")
    version = suite.version(harness)
    warehouse.record_suite(con, suite, version, harness, at)
    entry = suite.entry("arc_easy")
    from builders import SHARED_BENCHMARKS

    job = build_job(f"run-{model_id}-{version}", model_info(model_id), suite, version, entry, tmp_settings(tmp_path),
                    entry.benchmark.count_items(SHARED_BENCHMARKS))
    result = valid_result(tmp_path / f"out-{model_id}-{version}".replace("/", "_"), job, scores, finished_at=at)
    return version, warehouse.upsert_result(con, result, job["job_id"])


def tmp_settings(tmp_path):
    from builders import make_settings

    return make_settings(tmp_path)


@pytest.fixture
def two_tracks(tmp_path, harness, monkeypatch):
    settings = tmp_settings(tmp_path)
    monkeypatch.setattr(tracks, "load_settings", lambda: settings)
    old_cat, new_cat = parse_catalogue(copy.deepcopy(RAW)), catalogue_with_arc_easy_v2()
    with warehouse.connect(settings.warehouse_path) as con:
        v1, rid_a = evaluate(con, tmp_path, old_cat, harness, "org/a", [1, 0, 1, 1], "2025-01-01T00:00:00+00:00")
        _, rid_b = evaluate(con, tmp_path, old_cat, harness, "org/b", [0, 0, 1, 1], "2025-01-01T01:00:00+00:00")
        publish(con, settings.published_path, "2025-01-01T02:00:00+00:00")
        old_rows = con.execute("SELECT * FROM results ORDER BY result_id").fetchall()
        v2 = new_cat.suite("ci").version(harness)
        monkeypatch.setattr(tracks, "current_suite_version", lambda suite: v2)
        plan_before = tracks.reevaluation_plan("ci")
        _, rid_a2 = evaluate(con, tmp_path, new_cat, harness, "org/a", [1, 1, 1, 0], "2025-02-01T00:00:00+00:00")
        publish(con, settings.published_path, "2025-02-01T01:00:00+00:00")
        after_rows = con.execute("SELECT * FROM results WHERE result_id IN (?, ?) ORDER BY result_id",
                                 [rid_a, rid_b]).fetchall()
    return {"settings": settings, "v1": v1, "v2": v2, "old_rows": old_rows, "after_rows": after_rows,
            "rids": (rid_a, rid_b, rid_a2), "plan_before": plan_before}


def test_a_changed_benchmark_opens_a_new_track_and_leaves_the_old_one_untouched(two_tracks):
    assert two_tracks["v1"] != two_tracks["v2"]
    assert two_tracks["after_rows"] == two_tracks["old_rows"], "the old track's results must not change"
    rid_a, _, rid_a2 = two_tracks["rids"]
    assert rid_a != rid_a2
    con = duckdb.connect(str(two_tracks["settings"].published_path), read_only=True)
    try:
        per_track = dict(con.execute(
            "SELECT suite_version, count(*) FROM results GROUP BY ALL").fetchall())
    finally:
        con.close()
    assert per_track == {two_tracks["v1"]: 2, two_tracks["v2"]: 1}


def test_the_changelog_lists_each_suite_version_with_its_changes(two_tracks):
    rows = tracks.suite_changelog("ci", two_tracks["settings"])
    assert [(r["suite_version"], r["previous_version"]) for r in rows] == [
        (two_tracks["v1"], None), (two_tracks["v2"], two_tracks["v1"])]
    assert rows[0]["changes"] == "first version"
    assert rows[1]["changes"] == "arc_easy: version 1 -> 2"
    assert tracks.suite_changelog("smoke", two_tracks["settings"]) == []


def test_the_reevaluation_plan_queues_the_old_tracks_models_once(two_tracks):
    plan = two_tracks["plan_before"]
    assert [(p["model_id"], p["revision"], p["suite"]) for p in plan] == [("org/a", "rev-1", "ci"), ("org/b", "rev-1", "ci")]
    assert {p["from_suite_version"] for p in plan} == {two_tracks["v1"]}
    # once org/a has a result on the new track, only org/b is left
    assert [p["model_id"] for p in tracks.reevaluation_plan("ci")] == ["org/b"]
    assert tracks.reevaluation_plan("ci", from_version="0" * 12) == []
    requests = tracks.trigger_requests(plan)
    assert requests[0]["conf"] == {"model_id": "org/a", "revision": "rev-1", "suite": "ci"}
    assert requests[0]["trigger_run_id"] == f"reevaluate__{two_tracks['v2']}__org--a__rev-1"
    import re

    assert all(re.fullmatch(r"[A-Za-z0-9_.~:+-]+", r["trigger_run_id"]) for r in requests)


def test_changelog_names_added_removed_and_resized_benchmarks(tmp_path, harness):
    raw = copy.deepcopy(RAW)
    raw["suites"]["ci"]["benchmarks"] = {"gsm8k": {"limit": 3}, "arc_challenge": {"limit": 5}}
    changed = parse_catalogue(raw)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        con.execute(warehouse.sql("schema"))
        base = parse_catalogue(copy.deepcopy(RAW)).suite("ci")
        warehouse.record_suite(con, base, base.version(harness), harness, "2025-01-01T00:00:00+00:00")
        warehouse.record_suite(con, changed.suite("ci"), changed.suite("ci").version("other-harness"), "other-harness",
                               "2025-01-02T00:00:00+00:00")
        rows = tracks.changelog(con, "ci")
    finally:
        con.close()
    assert rows[1]["changes"] == (f"arc_challenge added (v1); arc_easy removed; gsm8k: items 2 -> 3; "
                                  f"harness {harness} -> other-harness")


def test_no_snapshot_means_an_empty_plan_and_changelog(tmp_path):
    settings = tmp_settings(tmp_path)
    assert tracks.reevaluation_plan("ci", settings=settings) == []
    assert tracks.suite_changelog(settings=settings) == []
