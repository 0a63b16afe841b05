"""The dashboard, run headless with AppTest against a real published snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from dashboard_snapshot import APP, HARNESS, REJECTED_REASON, build_snapshot, fixture_suite, load_model, suite_version
from streamlit.testing.v1 import AppTest

from leaderboard import warehouse
from leaderboard.catalogue import Suite, SuiteEntry
from leaderboard.publish import publish
from leaderboard.settings import load_settings

# No conftest.py here: tests/unit imports helpers `from conftest`, and a second conftest module would shadow it.


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("lbhome")
    return home, build_snapshot(home)


@pytest.fixture
def home(published, monkeypatch) -> Path:
    path, _ = published
    monkeypatch.setenv("LEADERBOARD_HOME", str(path))
    assert load_settings().published_path.is_file()
    return path


def run_app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    if page:
        at.query_params.update(query)
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def ranked(at: AppTest):
    return at.dataframe[0].value


def test_leaderboard_defaults_to_the_smoke_track_with_ranked_rows_in_rank_order(home, published):
    _, publication = published
    at = run_app()
    assert at.selectbox(key="track").value == suite_version("smoke")
    table = ranked(at)
    assert table["Model"].tolist() == ["acme/strong-7b", "acme/mid-1b", "other/weak-tiny"]
    assert table["Rank"].tolist() == [1, 2, 3]
    assert table["Average"].round(2).tolist() == [83.33, 48.33, 3.33]
    assert table["GSM8K"].round(2).tolist() == [80.0, 50.0, 0.0]
    assert table["95% CI"].iloc[0] == "[81.7, 85.0]"
    assert publication["snapshot_id"] in at.caption[0].value
    assert "2026-01-04 00:00:00" in at.caption[0].value
    assert "CI95 = score ± 1.96 * score_stderr" in at.expander[0].code[0].value


def test_incomplete_models_are_listed_apart_with_what_they_miss(home):
    incomplete = run_app().dataframe[1].value
    assert incomplete["Model"].tolist() == ["other/partial-3b"]
    assert incomplete["Missing benchmarks"].tolist() == ["arc_easy"]


def test_the_track_selector_switches_tracks(home):
    at = run_app()
    at.selectbox(key="track").set_value(suite_version("ci")).run()
    assert ranked(at)["Model"].tolist() == ["acme/strong-7b"]
    assert ranked(at)["Average"].round(2).tolist() == [41.67]
    assert len(at.dataframe) == 1  # no incomplete model on this track


@pytest.mark.parametrize("search, expected", [
    ("acme", ["acme/strong-7b", "acme/mid-1b"]),
    ("ACME 7b", ["acme/strong-7b"]),
    ("  other   tiny ", ["other/weak-tiny"]),
])
def test_search_requires_every_term(home, search, expected):
    at = run_app()
    at.text_input(key="search").input(search).run()
    assert ranked(at)["Model"].tolist() == expected


def test_search_with_no_match_says_so(home):
    at = run_app()
    at.text_input(key="search").input("acme tiny").run()
    assert not at.dataframe
    assert "No ranked model matches." in [i.value for i in at.info]


def test_raw_toggle_shows_raw_scores(home):
    at = run_app()
    at.toggle(key="raw").set_value(True).run()
    table = ranked(at)
    assert table["GSM8K"].tolist() == [0.8, 0.5, 0.0]
    assert table["ARC-Easy"].tolist() == [0.9, 0.6, 0.3]
    assert table["Average"].round(2).tolist() == [83.33, 48.33, 3.33]  # the average stays normalized


def test_model_page_follows_the_query_param_and_shows_scores(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    assert at.selectbox(key="model").value == "acme/mid-1b"
    scores = at.dataframe[0].value
    assert scores["benchmark"].tolist() == ["arc_easy", "gsm8k"]
    assert scores["raw_score"].tolist() == [0.6, 0.5]
    assert scores["normalized_score"].round(2).tolist() == [46.67, 50.0]
    assert scores["raw_stderr"].tolist() == [0.01, 0.01]
    assert "Rank 2" in at.markdown[0].value


def test_model_page_shows_the_manifest(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    at.selectbox(key="manifest_benchmark").set_value("gsm8k").run()
    versions, runtime, timings = (json.loads(j.value) for j in at.json[:3])
    assert versions["lm_eval"] == "0.4.99-test"
    assert runtime["hardware"] == "test CPU"
    assert timings["finished_at"] == "2026-01-02T00:00:00+00:00"
    assert json.loads(at.json[3].value)["job_id"] == "run-acme/mid-1b/gsm8k"


def test_sample_browser_filters_by_verdict_and_benchmark(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    samples = at.dataframe[1].value
    assert len(samples) == 20
    assert (samples["verdict"] == "correct").sum() == 11  # 5 of gsm8k, 6 of arc_easy

    at.selectbox(key="verdict").set_value("incorrect").run()
    samples = at.dataframe[1].value
    assert len(samples) == 9
    assert set(samples["verdict"]) == {"incorrect"}

    at.selectbox(key="sample_benchmark").set_value("gsm8k").run()
    samples = at.dataframe[1].value
    assert samples["doc_id"].tolist() == [5, 6, 7, 8, 9]
    assert set(samples["benchmark"]) == {"gsm8k"}
    assert at.code[0].value == "gsm8k question 5?"  # the full prompt of the first sample


def test_model_selector_updates_the_query_param(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    at.selectbox(key="model").set_value("other/weak-tiny").run()
    assert at.query_params["model"] == "other/weak-tiny"
    assert at.dataframe[0].value["raw_score"].tolist() == [0.3, 0.0]


def test_queue_shows_the_rejected_submission_with_its_reason(home):
    at = run_app("views/queue.py")
    table = at.dataframe[0].value
    assert len(table) == 6
    rejected = table[table["status"] == "rejected"]
    assert rejected["submission_id"].tolist() == ["run-rejected"]
    assert rejected["reason"].tolist() == [REJECTED_REASON]

    at.multiselect(key="status").set_value(["rejected"]).run()
    assert at.dataframe[0].value["submission_id"].tolist() == ["run-rejected"]
    at.multiselect(key="status").set_value(["failed"]).run()
    assert at.dataframe[0].value["reason"].tolist() == ["arc_easy: harness timed out"]


def test_a_new_publish_shows_up(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    build_snapshot(tmp_path)
    at = run_app()
    assert len(ranked(at)) == 3
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        load_model(con, "new/best-70b", {"smoke": {"gsm8k": 1.0, "arc_easy": 1.0}}, "2026-01-05T00:00:00+00:00")
        publish(con, tmp_path / "published" / "leaderboard.duckdb", "2026-01-05T00:00:01+00:00")
    at.run()
    assert ranked(at)["Model"].tolist()[0] == "new/best-70b"
    assert "2026-01-05 00:00:01" in at.caption[0].value


def write_nothing(path):
    pass


def write_zero_bytes(path):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")


def write_garbage(path):
    path.parent.mkdir(parents=True)
    path.write_text("not a database")


def write_tableless_database(path):
    path.parent.mkdir(parents=True)
    duckdb.connect(str(path)).close()


@pytest.mark.parametrize("page", [None, "views/model.py", "views/queue.py"])
@pytest.mark.parametrize("make, message", [
    (write_nothing, "No leaderboard has been published yet"),
    (write_zero_bytes, "is empty"),
    (write_garbage, "cannot be read"),
    (write_tableless_database, "is empty or incomplete"),
])
def test_a_missing_or_empty_snapshot_gives_a_friendly_message(tmp_path, monkeypatch, page, make, message):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    make(tmp_path / "published" / "leaderboard.duckdb")
    at = run_app(page)
    assert [message in i.value for i in at.info] == [True]
    assert not at.dataframe


def test_tracks_page_shows_the_changelog_of_suite_versions(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    build_snapshot(tmp_path)
    bigger = Suite("smoke", "more items", tuple(SuiteEntry(e.benchmark, 20) for e in fixture_suite("smoke").entries))
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        warehouse.record_suite(con, bigger, bigger.version(HARNESS), HARNESS, "2026-02-01T00:00:00+00:00")
        publish(con, tmp_path / "published" / "leaderboard.duckdb", "2026-02-01T00:00:01+00:00")
    at = run_app("views/tracks.py")
    log = at.dataframe[0].value
    smoke = log[log["suite"] == "smoke"]
    assert smoke["suite_version"].tolist() == [suite_version("smoke"), bigger.version(HARNESS)]
    assert smoke["changes"].tolist() == ["first version", "arc_easy: items 10 -> 20; gsm8k: items 10 -> 20"]
    at.selectbox(key="suite").set_value("ci").run()
    assert at.dataframe[0].value["suite"].tolist() == ["ci"]
