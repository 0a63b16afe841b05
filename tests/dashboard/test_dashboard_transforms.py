"""The pure table transforms of the dashboard."""

import io
import math

import dashboard_snapshot  # noqa: F401  (puts the repo root, and so the dashboard package, on sys.path)
import numpy as np
import pandas as pd
import pytest

from dashboard import transforms
from dashboard.transforms import Filters


def tracks(*rows):
    return pd.DataFrame(rows, columns=["suite", "suite_version", "ranked_models"])


def test_default_track_is_the_smoke_track_with_most_ranked_models():
    t = tracks(("ci", "a", 9), ("smoke", "b", 1), ("smoke", "c", 4), ("standard", "d", 7))
    assert transforms.default_track(t) == 2


def test_default_track_falls_back_to_the_first():
    assert transforms.default_track(tracks(("ci", "a", 0), ("standard", "d", 7))) == 0


def test_matches_needs_every_term_case_insensitively():
    ids = pd.Series(["Qwen/Qwen2-7B", "meta/Llama-3-8B", "qwen/tiny-0.5b"])
    assert transforms.matches(ids, "qwen 7b").tolist() == [True, False, False]
    assert transforms.matches(ids, "").tolist() == [True, True, True]
    assert transforms.matches(ids, "l.ama").tolist() == [False, False, False]  # terms are not regexes


# --- the leaderboard frame, filters, views and exports ---------------------------------------


def board_rows():
    board = pd.DataFrame({
        "model_id": ["b/incomplete", "a/second", "a/first"],
        "revision": ["r", "r", "r"],
        "complete": [False, True, True],
        "rank": pd.array([None, 1, 1], dtype="Int64"),
        "position": pd.array([None, 2, 1], dtype="Int64"),
        "average": [10.0, 50.0, 60.0],
        "average_stderr": [1.0, 1.0, 1.0],
        "ci_low": [8.0, 48.0, 58.0],
        "ci_high": [12.0, 52.0, 62.0],
        "missing_benchmarks": [["y"], [], []],
        "evaluated_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True),
        "parameters": pd.array([None, 2_000_000_000, 500_000_000], dtype="Int64"),
        "on_pareto_frontier": pd.array([None, True, True], dtype="boolean"),
        "model_type": [None, "chat", "pretrained"],
        "precision": ["float16", "bfloat16", "bfloat16"],
        "license": ["mit", None, "apache-2.0"],
        "hub_url": [None, None, "https://huggingface.co/a/first"],
    })
    scores = pd.DataFrame({
        "model_id": ["a/first", "a/first", "a/second", "a/second", "b/incomplete"],
        "benchmark": ["x", "y", "x", "y", "x"],
        "raw_score": [0.6, 0.7, 0.5, 0.55, 0.1],
        "normalized_score": [60.0, 60.0, 50.0, 40.0, 10.0],
        "n_samples": [200, 50, 200, 50, 100],
    })
    benchmarks = pd.DataFrame({"benchmark": ["x", "y"], "title": ["X-Bench", "Y-Bench"]})
    return board, scores, benchmarks


@pytest.fixture
def frame():
    return transforms.leaderboard_frame(*board_rows())


def test_leaderboard_frame_orders_ranked_then_incomplete_with_typed_columns(frame):
    assert frame["Model"].tolist() == ["a/first", "a/second", "b/incomplete"]
    assert frame["Rank"].tolist()[:2] == [1, 1] and pd.isna(frame["Rank"].iloc[2])
    assert frame["X-Bench"].tolist() == [60.0, 50.0, 10.0]
    assert frame["Y-Bench (raw)"].tolist()[:2] == [0.7, 0.55] and math.isnan(frame["Y-Bench (raw)"].iloc[2])
    assert frame["Parameters (B)"].tolist()[:2] == [0.5, 2.0]
    assert frame["Missing"].isna().tolist() == [True, True, False] and frame["Missing"].iloc[2] == "y"
    assert frame["Details"].tolist()[0] == "model?model=a/first"
    assert transforms.benchmark_titles(frame) == ["X-Bench", "Y-Bench"]
    for column in ("Rank", "Parameters (B)", "Average", "X-Bench", "CI low"):
        assert frame[column].dtype.kind in "if", column


@pytest.mark.parametrize("filters, expected", [
    (Filters(), ["a/first", "a/second", "b/incomplete"]),
    (Filters(hide_incomplete=True), ["a/first", "a/second"]),
    (Filters(model_types=("unknown",)), ["b/incomplete"]),
    (Filters(licenses=("unknown", "mit")), ["a/second", "b/incomplete"]),
    (Filters(precisions=("bfloat16",), search="second"), ["a/second"]),
    (Filters(size_b=(1.0, math.inf)), ["a/second"]),  # unknown size is out once the range is narrowed
    (Filters(size_b=(0.0, 0.5)), ["a/first"]),
])
def test_filter_mask(frame, filters, expected):
    assert frame[transforms.filter_mask(frame, filters)]["Model"].tolist() == expected


def test_view_keeps_the_column_order_and_swaps_in_raw_scores(frame):
    columns = transforms.visible_columns(frame, ["Y-Bench", "Average", "Hub"])
    assert columns == ["Rank", "Model", "Average", "Y-Bench", "Hub"]
    mask = np.array([True, False, True])
    normalized = transforms.view(frame, mask, columns, raw=False)
    raw = transforms.view(frame, mask, columns, raw=True)
    assert normalized["Y-Bench"].tolist()[0] == 60.0
    assert raw["Y-Bench"].tolist()[0] == 0.7
    assert raw.columns.tolist() == columns and raw["Model"].tolist() == ["a/first", "b/incomplete"]


def test_optional_columns_exclude_rank_and_model(frame):
    optional = transforms.optional_columns(frame)
    assert "Rank" not in optional and "Model" not in optional
    assert optional.index("X-Bench") == optional.index("Average") + 1


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_exports_hold_the_view(frame, fmt):
    shown = transforms.view(frame, np.ones(3, dtype=bool), ["Rank", "Model", "Average", "Evaluated"], raw=False)
    data = transforms.export(shown, fmt)
    back = {"parquet": lambda: pd.read_parquet(io.BytesIO(data)), "csv": lambda: pd.read_csv(io.BytesIO(data)),
            "json": lambda: pd.read_json(io.BytesIO(data))}[fmt]()
    assert back["Model"].tolist() == ["a/first", "a/second", "b/incomplete"]
    assert back["Average"].tolist() == [60.0, 50.0, 10.0]


def test_export_refuses_an_unknown_format(frame):
    with pytest.raises(ValueError, match="unknown export format 'xlsx'"):
        transforms.export(frame, "xlsx")


def test_choices_list_declared_values_first_and_nulls_as_unknown():
    values = pd.Series(["merge", None, "zeta"])
    assert transforms.choices(values, transforms.MODEL_TYPES) == [*transforms.MODEL_TYPES, "unknown", "zeta"]


def test_airflow_run_url_quotes_the_run_id():
    assert transforms.airflow_run_url("http://h:8080/", "evaluate_model", "manual__2026-01-01T00:00:00+00:00") == \
        "http://h:8080/dags/evaluate_model/runs/manual__2026-01-01T00%3A00%3A00%2B00%3A00"


def test_pareto_line_is_the_frontier_in_size_order():
    board, _, _ = board_rows()
    line = transforms.pareto_line(board)
    assert line["model_id"].tolist() == ["a/first", "a/second"]


def test_score_with_ci_shows_the_published_interval_and_n():
    # the published bounds, not ± 1.96 stderr: a 0-of-3 result is [0, 0.56], not a point
    results = pd.DataFrame({"raw_score": [0.0, 0.46, 0.5], "raw_ci_low": [0.0, 0.3912, 0.2],
                            "raw_ci_high": [0.5615, 0.5301, 0.8], "normalized_score": [0.0, 28.0, None],
                            "normalized_ci_low": [0.0, 18.83, None], "normalized_ci_high": [41.5, 37.3, None],
                            "n_samples": [3, 200, 4]})
    out = transforms.score_with_ci(results)
    assert out["ci_low"].tolist()[:2] == [0.0, 18.83] and out["ci_high"].tolist()[:2] == [41.5, 37.3]
    assert math.isnan(out["ci_low"].iloc[2])  # a revision that is not ranked has no normalized score
    assert out["score"].tolist() == ["0.000 [0.00, 0.56] n=3", "0.460 [0.39, 0.53] n=200", "0.500 [0.20, 0.80] n=4"]


def test_format_score_leaves_out_what_is_unknown():
    assert transforms.format_score(0.46, 0.39, 0.53, 200) == "0.460 [0.39, 0.53] n=200"
    assert transforms.format_score(0.46, None, float("nan"), 200) == "0.460 n=200"


def test_benchmark_columns_tell_their_item_count(frame):
    assert frame["X-Bench (n)"].tolist() == [200, 200, 100]
    assert pd.isna(frame["Y-Bench (n)"].iloc[2])  # b/incomplete has no Y-Bench score
    assert transforms.item_counts(frame, "X-Bench") == "n=100–200"
    assert transforms.item_counts(frame, "Y-Bench") == "n=50"
    assert "on n=50 items per model" in transforms.benchmark_help(frame, "Y-Bench")
    assert "X-Bench (n)" not in transforms.optional_columns(frame)  # told in the help, not a column
    board, scores, benchmarks = board_rows()
    bare = transforms.leaderboard_frame(board, scores.drop(columns="n_samples"), benchmarks)
    assert transforms.item_counts(bare, "X-Bench") == "" and "per model" not in transforms.benchmark_help(bare, "X-Bench")


def test_status_counts_list_every_status_in_lifecycle_order():
    counts = transforms.status_counts(pd.DataFrame({"status": ["failed", "pending", "failed"]}))
    assert list(counts) == list(transforms.STATUSES)
    assert counts == {"pending": 1, "validating": 0, "evaluating": 0, "completed": 0, "failed": 2, "rejected": 0}


def test_leaderboard_frame_of_an_empty_track_is_empty_with_every_column():
    board, scores, benchmarks = board_rows()
    frame = transforms.leaderboard_frame(board.iloc[:0], scores.iloc[:0], benchmarks)
    assert frame.empty
    assert transforms.benchmark_titles(frame) == ["X-Bench", "Y-Bench"]


def test_queue_frame_merges_live_records_over_published_ones():
    published = pd.DataFrame({
        "submission_id": ["run-old", "run-busy"], "model_id": ["a/old", "a/busy"], "suite": ["smoke", "smoke"],
        "status": ["completed", "pending"], "reason": [None, None], "trigger": ["cli", "poll"],
        "submitted_at": pd.to_datetime(["2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00"], utc=True),
        "updated_at": pd.to_datetime(["2026-01-01T01:00:00+00:00", "2026-01-02T00:00:00+00:00"], utc=True),
        "finished_at": pd.to_datetime(["2026-01-01T01:00:00+00:00", None], utc=True),
        "requested_revision": ["main", "main"], "revision": ["r1", None]})
    live_rows = [{"submission_id": "run-busy", "status": "evaluating", "updated_at": "2026-01-02T00:10:00.000+00:00",
                  "benchmarks": [{"benchmark": "gsm8k", "state": "running", "items_done": 5, "items_total": 20},
                                 {"benchmark": "arc_easy", "state": "scored", "items_done": 10, "items_total": 10}]},
                 {"submission_id": "run-new", "model_id": "a/new", "status": "pending",
                  "submitted_at": "2026-01-02T00:20:00+00:00", "benchmarks": []},
                 {"status": "pending"}]  # no id: ignored
    now = pd.Timestamp("2026-01-02T00:30:00+00:00")
    frame = transforms.queue_frame(published, live_rows, now=now)
    assert frame["submission_id"].tolist() == ["run-new", "run-busy", "run-old"]
    assert frame["status"].tolist() == ["pending", "evaluating", "completed"]
    assert frame["trigger"].tolist()[1] == "poll"  # what the live record does not hold stays
    assert frame["progress"].tolist()[:2] == ["", "1/2 scored · gsm8k running 5/20"]
    assert pd.isna(frame["progress"].iloc[2])
    assert frame["elapsed"].tolist() == ["10m 00s", "30m 00s", "1h 00m"]
    assert str(frame["updated_at"].dtype).startswith("datetime64") and frame["updated_at"].iloc[0] == pd.Timestamp(
        "2026-01-02T00:20:00+00:00")


def test_queue_frame_without_anything_published():
    assert transforms.queue_frame(pd.DataFrame(), []).empty
    frame = transforms.queue_frame(pd.DataFrame(), [{"submission_id": "run-1", "status": "pending",
                                                     "submitted_at": "not a time"}])
    assert frame["submission_id"].tolist() == ["run-1"] and frame["submitted_at"].isna().all()


def test_benchmark_frame_progress():
    frame = transforms.benchmark_frame([
        {"benchmark": "gsm8k", "state": "running", "items_done": 5, "items_total": 20, "phase": "generating",
         "elapsed_s": 75.0},
        {"benchmark": "arc_easy", "state": "scored", "items_done": 10, "items_total": 10, "score": 0.5},
        {"benchmark": "mbpp", "state": "failed", "items_done": "x", "reason": "timed out"},
        {"benchmark": "hellaswag", "state": "queued", "items_done": 0, "items_total": None}])
    assert frame["progress"].tolist()[:2] == [0.25, 1.0] and frame["progress"].isna().tolist()[2:] == [True, True]
    assert frame["items"].fillna("-").tolist() == ["5/20", "10/10", "-", "0/?"]
    assert frame["elapsed"].fillna("-").tolist() == ["1m 15s", "-", "-", "-"]
    assert frame["phase"].tolist()[0] == "generating" and frame["reason"].tolist()[2] == "timed out"
    assert frame["score"].tolist()[1] == 0.5
