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


def test_score_with_ci_clips_to_0_100():
    results = pd.DataFrame({"normalized_score": [1.0, 99.0, 50.0], "normalized_stderr": [1.0, 1.0, None]})
    out = transforms.score_with_ci(results)
    assert out["ci_low"].tolist() == [0.0, 99.0 - 1.96, 50.0]
    assert out["ci_high"].tolist() == [1.0 + 1.96, 100.0, 50.0]


def test_status_counts_list_every_status_in_lifecycle_order():
    counts = transforms.status_counts(pd.DataFrame({"status": ["failed", "pending", "failed"]}))
    assert list(counts) == list(transforms.STATUSES)
    assert counts == {"pending": 1, "validating": 0, "evaluating": 0, "completed": 0, "failed": 2, "rejected": 0}


def test_leaderboard_frame_of_an_empty_track_is_empty_with_every_column():
    board, scores, benchmarks = board_rows()
    frame = transforms.leaderboard_frame(board.iloc[:0], scores.iloc[:0], benchmarks)
    assert frame.empty
    assert transforms.benchmark_titles(frame) == ["X-Bench", "Y-Bench"]
