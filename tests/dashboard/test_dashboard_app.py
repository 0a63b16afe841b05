"""The dashboard, run headless with AppTest against a real published snapshot."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from dashboard_snapshot import (APP, FIRST_PUBLISH, HARNESS, REJECTED_REASON, build_snapshot, fixture_suite, load_model,
                                suite_version)
from streamlit.testing.v1 import AppTest

from leaderboard import live, warehouse
from leaderboard.catalogue import Suite, SuiteEntry
from leaderboard.publish import publish
from leaderboard.settings import load_settings

# No conftest.py here: tests/unit imports helpers `from conftest`, and a second conftest module would shadow it.

RANKED = ["acme/strong-7b", "acme/mid-1b", "other/weak-tiny"]
ALL = [*RANKED, "other/partial-3b"]  # the last one misses arc_easy


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("lbhome")
    return home, build_snapshot(home)


@pytest.fixture
def home(published, monkeypatch) -> Path:
    path, _ = published
    monkeypatch.setenv("LEADERBOARD_HOME", str(path))
    monkeypatch.delenv("LEADERBOARD_AIRFLOW_URL", raising=False)
    assert load_settings().published_path.is_file()
    return path


def run_app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    if page:
        at.query_params.update(query)
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


# Dataframes have no key lookup in AppTest: each table is found by a column only it has.
TABLE_COLUMNS = {"scores": "normalized_stderr", "samples": "doc_id", "history": "snapshot_id",
                 "events": "occurred_at", "queue": "airflow_run"}


def table(at: AppTest, name: str):
    found = [d.value for d in at.dataframe if TABLE_COLUMNS[name] in d.value.columns]
    assert len(found) == 1, f"{len(found)} tables named {name}"
    return found[0]


def board(at: AppTest):
    return at.dataframe[0].value


def models(at: AppTest) -> list[str]:
    return board(at)["Model"].tolist()


# --- leaderboard --------------------------------------------------------------------------

def test_leaderboard_defaults_to_the_smoke_track_with_ranked_rows_then_incomplete_ones(home, published):
    _, publication = published
    at = run_app()
    assert at.selectbox(key="track").value == suite_version("smoke")
    table = board(at)
    assert table["Model"].tolist() == ALL
    # 10 items per benchmark: Wilson intervals are wide, so strong-7b and mid-1b share rank 1
    assert table["Rank"].tolist()[:3] == [1, 1, 3] and table["Rank"].isna().tolist() == [False] * 3 + [True]
    assert table["Average"].round(2).tolist() == [83.33, 48.33, 3.33, 40.0]
    assert table["GSM8K"].round(2).tolist() == [80.0, 50.0, 0.0, 40.0]
    assert table[["CI low", "CI high"]].iloc[0].round(2).tolist() == [66.18, 100.0]
    assert table["Missing"].tolist()[3] == "arc_easy"
    assert table["Type"].tolist()[:3] == ["chat", "fine-tuned", "pretrained"]
    assert table["Parameters (B)"].tolist() == [7.0, 1.0, 0.1, 3.0]
    assert table["Hub"].tolist()[0] == "https://huggingface.co/acme/strong-7b"
    assert table["Hub"].isna().tolist()[1:] == [True, True, True]
    assert table["Details"].tolist()[1] == "model?model=acme/mid-1b"
    assert table["Pareto"].tolist()[:3] == [True, True, True]
    assert "4 of 4 models shown (3 ranked)" in at.caption[1].value
    assert publication["snapshot_id"] in at.caption[0].value
    assert "2026-01-04 00:00:00" in at.caption[0].value
    assert "CI95 = score ± 1.96 * score_stderr" in at.expander[0].code[0].value


def test_numbers_are_typed_so_columns_sort_numerically(home):
    table = board(run_app())
    for column in ("Rank", "CI low", "CI high", "Parameters (B)", "Average", "GSM8K", "ARC-Easy"):
        assert table[column].dtype.kind in "if", column
    by_size = table.sort_values("Parameters (B)")["Model"].tolist()
    assert by_size == ["other/weak-tiny", "acme/mid-1b", "other/partial-3b", "acme/strong-7b"]


def test_hide_incomplete_leaves_the_ranked_models(home):
    at = run_app()
    at.toggle(key="hide_incomplete").set_value(True).run()
    assert models(at) == RANKED


@pytest.mark.parametrize("key, chosen, expected", [
    ("model_types", ["chat"], ["acme/strong-7b"]),
    ("model_types", ["pretrained", "unknown"], ["other/weak-tiny", "other/partial-3b"]),
    ("precisions", ["bfloat16"], ["acme/strong-7b", "other/partial-3b"]),
    ("licenses", ["unknown"], ["other/weak-tiny"]),
    ("licenses", ["mit", "apache-2.0"], ["acme/strong-7b", "acme/mid-1b", "other/partial-3b"]),
])
def test_metadata_filters_change_the_rows(home, key, chosen, expected):
    at = run_app()
    assert "unknown" in at.multiselect(key=key).options or key == "precisions"
    at.multiselect(key=key).set_value(chosen).run()
    assert models(at) == expected


def test_size_range_filter(home):
    at = run_app()
    at.select_slider(key="size").set_value((0.5, 3.0)).run()
    assert models(at) == ["acme/mid-1b", "other/partial-3b"]
    at.select_slider(key="size").set_value((7.0, float("inf"))).run()
    assert models(at) == ["acme/strong-7b"]


def test_filters_combine(home):
    at = run_app()
    at.multiselect(key="precisions").set_value(["bfloat16"]).run()
    at.toggle(key="hide_incomplete").set_value(True).run()
    assert models(at) == ["acme/strong-7b"]
    assert "1 of 4 models shown (3 ranked)" in at.caption[1].value


def test_the_track_selector_switches_tracks(home):
    at = run_app()
    at.selectbox(key="track").set_value(suite_version("ci")).run()
    assert models(at) == ["acme/strong-7b"]
    assert board(at)["Average"].round(2).tolist() == [41.67]


def test_as_of_an_earlier_snapshot_shows_the_leaderboard_then(home):
    at = run_app()
    as_of = at.selectbox(key="as_of")
    assert len(as_of.options) == 2 and as_of.value == 0  # the latest publication, then the earlier one
    as_of.set_value(1).run()
    table = board(at)
    assert table["Model"].tolist() == ["acme/strong-7b", "other/weak-tiny", "other/partial-3b"]  # before mid-1b
    assert table["Rank"].tolist()[:2] == [1, 2]
    assert table["GSM8K"].round(2).tolist() == [80.0, 0.0, 40.0]
    assert table["Type"].tolist()[0] == "chat"
    assert "2026-01-03 12:00:00" in at.caption[0].value


@pytest.mark.parametrize("search, expected", [
    ("acme", ["acme/strong-7b", "acme/mid-1b"]),
    ("ACME 7b", ["acme/strong-7b"]),
    ("  other   tiny ", ["other/weak-tiny"]),
])
def test_search_requires_every_term(home, search, expected):
    at = run_app()
    at.text_input(key="search").input(search).run()
    assert models(at) == expected


def test_search_with_no_match_says_so(home):
    at = run_app()
    at.text_input(key="search").input("acme tiny").run()
    assert not at.dataframe
    assert "No model matches these filters." in [i.value for i in at.info]


def test_the_column_chooser_drops_and_restores_columns(home):
    at = run_app()
    assert "License" in board(at).columns and "Evaluated" not in board(at).columns
    chosen = [c for c in at.multiselect(key="columns").value if c not in ("License", "GSM8K")] + ["Evaluated"]
    at.multiselect(key="columns").set_value(chosen).run()
    columns = board(at).columns.tolist()
    assert "License" not in columns and "GSM8K" not in columns and "Evaluated" in columns
    assert columns[:2] == ["Rank", "CI low"]  # the fixed order is kept


def test_raw_toggle_shows_raw_scores(home):
    at = run_app()
    at.toggle(key="raw").set_value(True).run()
    table = board(at)
    assert table["GSM8K"].tolist() == [0.8, 0.5, 0.0, 0.4]
    assert table["ARC-Easy"].tolist()[:3] == [0.9, 0.6, 0.3]
    assert table["Average"].round(2).tolist() == [83.33, 48.33, 3.33, 40.0]  # the average stays normalized


def test_downloads_offer_the_file_and_the_current_view(home):
    at = run_app()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Published DuckDB file", "This view as PARQUET", "This view as CSV", "This view as JSON"]


def test_a_new_publish_shows_up(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    build_snapshot(tmp_path)
    at = run_app()
    assert len(board(at)) == 4
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        load_model(con, "new/best-70b", {"smoke": {"gsm8k": 1.0, "arc_easy": 1.0}}, "2026-01-05T00:00:00+00:00")
        publish(con, tmp_path / "published" / "leaderboard.duckdb", "2026-01-05T00:00:01+00:00")
    at.run()
    assert models(at)[0] == "new/best-70b"
    assert "2026-01-05 00:00:01" in at.caption[0].value
    assert len(at.selectbox(key="as_of").options) == 3  # latest, and the two before it


# --- model page ---------------------------------------------------------------------------

def test_model_page_follows_the_query_param_and_shows_scores_with_cis(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    assert at.selectbox(key="model").value == "acme/mid-1b"
    scores = table(at, "scores")
    assert scores["benchmark"].tolist() == ["arc_easy", "gsm8k"]
    assert scores["raw_score"].tolist() == [0.6, 0.5]
    assert scores["normalized_score"].round(2).tolist() == [46.67, 50.0]
    assert scores["raw_stderr"].tolist() == [0.01, 0.01]
    # the published Wilson intervals (6 and 5 of 10 right), not ± 1.96 * 0.01; n beside each score
    assert scores["n_samples"].tolist() == [10, 10]
    assert scores[["raw_ci_low", "raw_ci_high"]].round(4).values.tolist() == [[0.3127, 0.8318], [0.2366, 0.7634]]
    assert scores["ci_low"].round(2).tolist() == [8.36, 23.66] and scores["ci_high"].round(2).tolist() == [77.58, 76.34]
    assert scores["score"].tolist() == ["0.600 [0.31, 0.83] n=10", "0.500 [0.24, 0.76] n=10"]
    assert (scores["normalized_stderr"] > 1.96 * 0.01 * 100).all()  # the interval's stderr-equivalent
    assert "Rank 1" in at.markdown[0].value
    assert "fine-tuned" in at.caption[0].value


def test_model_page_links_the_hub_page_when_there_is_one(home):
    at = run_app("views/model.py", model="acme/strong-7b")
    assert "(https://huggingface.co/acme/strong-7b)" in at.markdown[0].value
    at = run_app("views/model.py", model="other/weak-tiny")
    assert not any("Hub page" in m.value for m in at.markdown)
    assert "pretrained" in at.caption[0].value and "license unknown" in at.caption[0].value


def test_model_page_shows_the_manifest_and_the_reproduce_command(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    at.selectbox(key="manifest_benchmark").set_value("gsm8k").run()
    versions, runtime, timings = (json.loads(j.value) for j in at.json[:3])
    assert versions["lm_eval"] == "0.4.99-test"
    assert runtime["hardware"] == "test CPU"
    assert timings["finished_at"] == "2026-01-02T00:00:00+00:00"
    assert json.loads(at.json[3].value)["job_id"] == "run-acme/mid-1b/gsm8k"
    result_id = warehouse.result_id("acme/mid-1b", "rev-mid-1b", "gsm8k", suite_version("smoke"))
    assert at.code[0].value == f"leaderboard reproduce {result_id}"
    assert at.code[0].language == "bash"


def test_sample_browser_filters_by_verdict_and_benchmark(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    samples = table(at, "samples")
    assert len(samples) == 20
    assert (samples["verdict"] == "correct").sum() == 11  # 5 of gsm8k, 6 of arc_easy
    assert "execution_status" not in samples.columns  # nothing was executed: no sandbox columns

    at.selectbox(key="verdict").set_value("incorrect").run()
    samples = table(at, "samples")
    assert len(samples) == 9
    assert set(samples["verdict"]) == {"incorrect"}

    at.selectbox(key="sample_benchmark").set_value("gsm8k").run()
    samples = table(at, "samples")
    assert samples["doc_id"].tolist() == [5, 6, 7, 8, 9]
    assert set(samples["benchmark"]) == {"gsm8k"}
    assert at.code[1].value == "gsm8k question 5?"  # the full prompt of the first sample (after the command)


def test_sample_browser_shows_sandbox_verdicts_when_present(home):
    at = run_app("views/model.py", model="acme/strong-7b")
    at.selectbox(key="sample_benchmark").set_value("gsm8k").run()
    at.selectbox(key="verdict").set_value("incorrect").run()
    samples = table(at, "samples")  # on the ci track (listed first), gsm8k scored 0.5
    assert samples["doc_id"].tolist() == [5, 6, 7, 8, 9]
    assert samples["execution_status"].tolist() == ["timeout", "fail", "timeout", "fail", "timeout"]
    assert samples["execution_detail"].tolist()[:2] == ["killed after 10 s", "AssertionError: test 1 failed"]
    assert at.code[-1].value == "killed after 10 s"  # the detail of the sample read


def test_model_page_shows_rank_history_and_submission_events(home):
    at = run_app("views/model.py", model="acme/strong-7b")
    history = table(at, "history")
    assert [str(t)[:16] for t in history["published_at"]] == ["2026-01-03 12:00", "2026-01-04 00:00"]
    assert history["rank"].tolist() == [1, 1]
    events = table(at, "events")
    smoke = events[events["submission_id"] == "run-acme/strong-7b-smoke"]
    assert smoke["status"].tolist() == ["pending", "validating", "evaluating", "completed"]
    at = run_app("views/model.py", model="acme/mid-1b")
    assert len(table(at, "history")) == 1  # only in the second publication


def test_model_selector_updates_the_query_param(home):
    at = run_app("views/model.py", model="acme/mid-1b")
    at.selectbox(key="model").set_value("other/weak-tiny").run()
    assert at.query_params["model"] == "other/weak-tiny"
    assert table(at, "scores")["raw_score"].tolist() == [0.3, 0.0]


# --- queue --------------------------------------------------------------------------------

def test_queue_counts_every_status_and_links_the_airflow_runs(home, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_AIRFLOW_URL", "http://airflow.test:9090/")
    at = run_app("views/queue.py")
    counts = {m.label: m.value for m in at.metric}
    assert counts == {"pending": "1", "validating": "0", "evaluating": "1", "completed": "4", "failed": "1",
                      "rejected": "1"}
    queue = table(at, "queue")
    assert len(queue) == 8
    rejected = queue[queue["status"] == "rejected"]
    assert rejected["reason"].tolist() == [REJECTED_REASON]
    assert rejected["trigger"].tolist() == ["webhook"]
    manual = queue[queue["trigger"] == "manual"]
    assert manual["airflow_run"].tolist() == [
        "http://airflow.test:9090/dags/evaluate_model/runs/manual__2026-01-03T18%3A00%3A00%2B00%3A00"]
    assert manual["finished_at"].isna().all()


def test_queue_filters_by_status_and_shows_a_status_history(home):
    at = run_app("views/queue.py")
    at.multiselect(key="status").set_value(["rejected"]).run()
    assert table(at, "queue")["submission_id"].tolist() == ["run-rejected"]
    events = table(at, "events")
    assert events["status"].tolist() == ["pending", "validating", "rejected"]
    assert events["reason"].tolist()[-1] == REJECTED_REASON
    at.multiselect(key="status").set_value(["failed"]).run()
    assert table(at, "queue")["reason"].tolist() == ["arc_easy: harness timed out"]
    at.multiselect(key="status").set_value(["evaluating", "pending"]).run()
    assert sorted(table(at, "queue")["model_id"]) == ["acme/busy-2b", "acme/queued-13b"]


def test_queue_default_airflow_url(home):
    queue = table(run_app("views/queue.py"), "queue")
    assert queue["airflow_run"].str.startswith("http://127.0.0.1:8080/dags/evaluate_model/runs/").all()


# --- charts -------------------------------------------------------------------------------

def test_charts_page_draws_the_three_charts(home):
    at = run_app("views/charts.py")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3
    specs = [json.loads(c.proto.spec) for c in charts]
    assert "layer" in specs[0]  # the points and the frontier line
    assert specs[1]["encoding"]["facet"]["field"] == "benchmark"
    at.selectbox(key="chart_track").set_value(suite_version("ci")).run()
    assert not at.exception
    assert "Only one publication so far" not in [i.value for i in at.info]


# --- empty or broken snapshots ------------------------------------------------------------

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


@pytest.mark.parametrize("page", [None, "views/model.py", "views/queue.py", "views/charts.py"])
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


def test_a_snapshot_without_models_says_so_on_every_page(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        publish(con, tmp_path / "published" / "leaderboard.duckdb", FIRST_PUBLISH)
    assert "no track yet" in run_app().info[0].value
    assert "No model has results" in run_app("views/model.py").info[0].value
    assert "No submission has been recorded yet" in run_app("views/queue.py").info[0].value
    assert "no track yet" in run_app("views/charts.py").info[0].value


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


def test_a_snapshot_from_an_older_schema_asks_for_a_new_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    build_snapshot(tmp_path)
    path = tmp_path / "published" / "leaderboard.duckdb"
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE models DROP COLUMN hub_url")  # as files published before the Hub metadata
    con.close()
    at = run_app()
    assert [("older version" in i.value and "publish again" in i.value) for i in at.info] == [True]


# --- live status: the queue and the leaderboard while submissions are in flight -------------

def live_submission(home: Path, submission_id: str, model_id: str, status: str, *, started_s_ago: float = 65,
                    done: int = 12) -> None:
    """A submission as the pipeline's live files describe it: gsm8k running (done of 50 items),
    arc_easy queued."""
    published_dir = home / "published"
    now = datetime.now(timezone.utc)
    live.write_submission(published_dir, {
        "submission_id": submission_id, "model_id": model_id, "suite": "smoke", "status": status,
        "requested_revision": "main", "trigger": "cli", "submitted_at": (now - timedelta(seconds=90)).isoformat(),
        "updated_at": now.isoformat(),
        "benchmarks_declared": [{"benchmark": "gsm8k", "items_total": 50},
                                {"benchmark": "arc_easy", "items_total": 10}]})
    if status == "evaluating":
        live.write_benchmark(published_dir, submission_id, "gsm8k", "running", items_total=50, items_done=done,
                             phase="generating", started_at=(now - timedelta(seconds=started_s_ago)).isoformat())


@pytest.fixture
def live_home(home):
    """The shared published snapshot, with live status files written by the test (removed after)."""
    yield home
    shutil.rmtree(home / "published" / "live", ignore_errors=True)


def benchmark_tables(at: AppTest) -> list:
    return [d.value for d in at.dataframe if "items" in d.value.columns]


def test_queue_before_any_publish_shows_live_submissions_with_benchmark_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    live_submission(tmp_path, "run-first", "acme/first-1b", "evaluating")
    at = run_app("views/queue.py")
    queue = table(at, "queue")
    assert queue["submission_id"].tolist() == ["run-first"]
    assert queue["status"].tolist() == ["evaluating"]
    assert queue["progress"].tolist() == ["0/2 scored · gsm8k running 12/50"]
    assert queue["elapsed"].tolist()[0].startswith("1m ")  # since submitted, 90 s ago
    (benchmarks,) = benchmark_tables(at)
    assert benchmarks["benchmark"].tolist() == ["gsm8k", "arc_easy"]
    assert benchmarks["state"].tolist() == ["running", "queued"]
    assert benchmarks["items"].tolist() == ["12/50", "0/10"]
    assert benchmarks["progress"].round(2).tolist() == [0.24, 0.0]
    assert benchmarks["phase"].tolist()[0] == "generating"
    assert benchmarks["elapsed"].tolist()[0].startswith("1m ")
    assert {m.label: m.value for m in at.metric}["evaluating"] == "1"
    infos = [i.value for i in at.info]
    assert any("No leaderboard has been published yet" in i for i in infos)
    assert any("status history" in i and "published" in i for i in infos)
    assert not at.warning

    # the next refresh (the fragment reruns every few seconds) reads the files again
    live.write_benchmark(tmp_path / "published", "run-first", "gsm8k", "scored", items_done=50, score=0.5,
                         finished_at=datetime.now(timezone.utc).isoformat())
    at.run()
    assert not at.exception
    assert benchmark_tables(at)[0]["state"].tolist() == ["scored", "queued"]
    assert table(at, "queue")["progress"].tolist() == ["1/2 scored"]


def test_the_queue_page_refreshes_itself_within_five_seconds():
    from dashboard import live_panel
    assert 0 < live_panel.REFRESH_S <= 5
    source = (APP.parent / "views" / "queue.py").read_text()
    assert "@st.fragment(run_every=live_panel.REFRESH_S)" in source


def test_queue_merges_live_submissions_with_the_published_ones(live_home):
    live_submission(live_home, "run-acme/busy-2b-smoke", "acme/busy-2b", "evaluating", done=30)  # published too
    live_submission(live_home, "run-new", "acme/new-3b", "pending")  # only live
    at = run_app("views/queue.py")
    queue = table(at, "queue")
    assert len(queue) == 9  # the 8 published, plus the live one; the busy one once
    assert queue["submission_id"].tolist()[:2] == ["run-new", "run-acme/busy-2b-smoke"]  # newest update first
    busy = queue[queue["submission_id"] == "run-acme/busy-2b-smoke"].iloc[0]
    assert busy["progress"] == "0/2 scored · gsm8k running 30/50"
    assert busy["trigger"] == "cli"  # the live record wins over the published one (poll)
    counts = {m.label: m.value for m in at.metric}
    assert counts["pending"] == "2" and counts["evaluating"] == "1"
    assert [t["items"].tolist() for t in benchmark_tables(at)] == [["30/50", "0/10"]]  # evaluating ones only
    at.multiselect(key="status").set_value(["pending"]).run()
    assert sorted(table(at, "queue")["submission_id"]) == ["manual__2026-01-03T18:00:00+00:00", "run-new"]
    assert not benchmark_tables(at)
    at.selectbox(key="history_submission").set_value("run-new").run()
    assert "No status change of this submission has been published yet; it is pending now." in [
        i.value for i in at.info]


def test_a_corrupt_live_file_is_named_and_the_rest_of_the_queue_renders(live_home):
    live_submission(live_home, "run-new", "acme/new-3b", "evaluating")
    folder = live_home / "published" / "live" / "run-new"
    (folder / "arc_easy.json").write_text('{"benchmark": "arc_easy", "state": "runn')  # cut short
    broken = live_home / "published" / "live" / "run-broken"
    broken.mkdir()
    (broken / "submission.json").write_text("[1, 2]")
    at = run_app("views/queue.py")
    (warning,) = at.warning
    assert "run-new/arc_easy.json" in warning.value and "run-broken/submission.json" in warning.value
    queue = table(at, "queue")
    assert len(queue) == 9 and "run-broken" not in queue["submission_id"].tolist()
    assert benchmark_tables(at)[0]["state"].tolist() == ["running", "queued"]  # arc_easy as declared
    at.selectbox(key="history_submission").set_value("run-rejected").run()
    assert table(at, "events")["status"].tolist() == ["pending", "validating", "rejected"]  # the history still works


def test_leaderboard_before_any_publish_shows_what_is_being_evaluated(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    live_submission(tmp_path, "run-first", "acme/first-1b", "evaluating")
    at = run_app()
    (info,) = at.info
    assert "No leaderboard has been published yet" in info.value and "first evaluation finishes" in info.value
    assert "publish step" not in info.value and "Being evaluated now" in info.value
    assert "acme/first-1b" in at.markdown[0].value and "evaluating" in at.markdown[0].value
    (benchmarks,) = benchmark_tables(at)
    assert benchmarks["items"].tolist() == ["12/50", "0/10"]


def test_leaderboard_with_submissions_in_flight_links_the_queue(live_home):
    at = run_app()
    assert not at.get("page_link")
    live_submission(live_home, "run-new", "acme/new-3b", "evaluating")
    at = run_app()
    assert [i.value for i in at.info if "Evaluating now" in i.value] == [
        "Evaluating now: acme/new-3b (evaluating). The leaderboard updates when they finish."]
    (link,) = at.get("page_link")
    assert link.proto.page.endswith("queue")
    assert models(at) == ALL  # the leaderboard itself is unchanged
