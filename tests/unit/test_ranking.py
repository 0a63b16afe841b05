"""Aggregation strategies, intervals, tie-aware ranks, tie groups, the Pareto frontier and the
paired bootstrap: numpy pieces on hand-computed arrays, then whole publishes."""

import json
import math

import duckdb
import numpy as np
import pytest

from leaderboard import warehouse
from leaderboard.publish import publish
from leaderboard.ranking import (RankingConfig, RankingConfigError, load_ranking_config, paired_bootstrap,
                                 pareto_frontier, tie_aware_ranks, win_rates)

from builders import make_job, model_info, valid_result

PUBLISHED_AT = "2025-02-01T00:00:00+00:00"


# --- the pieces -------------------------------------------------------------------------------

def test_ranks_where_intervals_do_not_overlap():
    # three separated intervals: 3, 2, 1
    assert tie_aware_ranks(np.array([10., 20, 30]), np.array([15., 25, 35])).tolist() == [3, 2, 1]


def test_ranks_where_intervals_overlap_in_a_chain():
    # [0,10] [9,20] [19,30]: each overlaps its neighbour; only the top is clearly above the bottom
    assert tie_aware_ranks(np.array([0., 9, 19]), np.array([10., 20, 30])).tolist() == [2, 1, 1]


def test_rank_rule_is_strict_at_a_touching_bound():
    # a's low equals b's high: not strictly above, so b is not pushed down
    assert tie_aware_ranks(np.array([5., 0]), np.array([9., 5])).tolist() == [1, 1]
    assert tie_aware_ranks(np.array([5., 0]), np.array([9., 4.999])).tolist() == [1, 2]


def test_ranks_match_the_quadratic_definition():
    rng = np.random.default_rng(7)
    mid = rng.uniform(0, 100, 500).round(1)
    half = rng.uniform(0, 5, 500).round(1)
    low, high = mid - half, mid + half
    expected = [1 + int(np.sum(low > h)) for h in high]
    assert tie_aware_ranks(low, high).tolist() == expected


def test_win_rates_count_ties_half_and_skip_self():
    v = np.array([10., 20, 20, 30])
    assert win_rates(v, v).tolist() == pytest.approx([0, 1.5 / 3, 1.5 / 3, 1])
    assert win_rates(v, v + 15).tolist() == pytest.approx([2 / 3, 1, 1, 1])
    assert win_rates(v, np.array([20., 20, 20, 20])).tolist() == pytest.approx([1 / 3, 1.5 / 3, 1.5 / 3, 2 / 3])
    assert win_rates(np.array([42.0]), np.array([42.0])).tolist() == [0.5]


def test_pareto_frontier():
    score = np.array([50., 60, 40, 60, 70])
    params = np.array([1., 2, 1, 3, 10])
    assert pareto_frontier(score, params).tolist() == [True, True, False, False, True]
    # equal size and equal score: neither dominates the other
    assert pareto_frontier(np.array([50., 50, 49]), np.array([1., 1, 1])).tolist() == [True, True, False]


def test_paired_bootstrap_is_seeded_and_sees_a_clear_difference():
    rng = np.random.default_rng(0)
    a = {"x": (rng.random(400) < 0.8).astype(float), "y": (rng.random(300) < 0.7).astype(float)}
    b = {"x": (rng.random(400) < 0.5).astype(float), "y": (rng.random(300) < 0.4).astype(float)}
    baselines, weights = {"x": 0.25, "y": 0.0}, {}
    first = paired_bootstrap(a, b, baselines, weights, n_resamples=500, seed=3)
    assert first == paired_bootstrap(a, b, baselines, weights, n_resamples=500, seed=3)
    assert first["ci_low"] > 0 and first["p_a_not_better"] == 0.0
    assert first["ci_low"] < first["difference"] < first["ci_high"]
    same = paired_bootstrap(a, a, baselines, weights, n_resamples=200, seed=3)
    assert same["difference"] == same["ci_low"] == same["ci_high"] == 0.0


def test_config_is_validated_and_the_environment_overrides_the_strategy(tmp_path):
    path = tmp_path / "ranking.yaml"
    path.write_text("aggregation: weighted_mean\nweights: {gsm8k: 2}\n")
    assert load_ranking_config(path, {}) == RankingConfig("weighted_mean", {"gsm8k": 2})
    assert load_ranking_config(path, {"LEADERBOARD_AGGREGATION": "win_rate"}).aggregation == "win_rate"
    with pytest.raises(RankingConfigError, match="known: mean, weighted_mean, win_rate"):
        load_ranking_config(path, {"LEADERBOARD_AGGREGATION": "median"})
    with pytest.raises(RankingConfigError, match="positive"):
        RankingConfig("weighted_mean", {"gsm8k": 0})
    assert RankingConfig("mean", {"gsm8k": 2}).weight("gsm8k") == 1.0  # weights only for weighted_mean
    assert load_ranking_config().aggregation in ("mean", "weighted_mean", "win_rate")


# --- through publish ----------------------------------------------------------------------------

@pytest.fixture
def con(tmp_path):
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        yield con


@pytest.fixture
def three_models(catalogue, harness, con, settings, tmp_path):
    """normalized (arc_easy, gsm8k) ± stderr: a (33.33 ± 4, 50 ± 4), b (50 ± 4, 50 ± 4), c (0 ± 4, 0 ± 0);
    parameters: a 6, b 6, c 1."""
    suite = catalogue.suite("ci")
    warehouse.record_suite(con, suite, suite.version(harness), harness, PUBLISHED_AT)
    data = {"org/a": {"arc_easy": ([1, 0], 0.03), "gsm8k": ([1, 0], 0.04)},
            "org/b": {"arc_easy": ([1, 1, 1, 1, 1, 0, 0, 0], 0.03), "gsm8k": ([1, 0], 0.04)},
            "org/c": {"arc_easy": ([1] + [0] * 9, 0.03), "gsm8k": ([0, 0], 0.0)}}
    for model_id, per in data.items():
        info = model_info(model_id)
        if model_id == "org/c":
            info = info.__class__(**{**info.as_dict(), "parameters": 1})
        warehouse.record_model(con, info)
        for benchmark, (scores, stderr) in per.items():
            job = make_job(settings, benchmark, model_id=model_id)
            job["benchmark"]["expected_samples"] = len(scores)
            warehouse.upsert_result(con, valid_result(tmp_path / "runs" / model_id / benchmark, job, scores, stderr), "r")
    return suite.version(harness)


def board(con, tmp_path, config):
    path = tmp_path / "published" / "leaderboard.duckdb"
    info = publish(con, path, PUBLISHED_AT, config)
    with duckdb.connect(str(path), read_only=True) as reader:
        rows = reader.execute("SELECT model_id, average, average_stderr, ci_low, ci_high, rank, tie_group_size, "
                              "on_pareto_frontier, mean_normalized FROM leaderboard").fetchall()
        extra = {"publication": reader.execute("SELECT aggregation, weights, formula FROM publication").fetchone(),
                 "weights": reader.execute("SELECT benchmark, weight, share FROM ranking_weights ORDER BY benchmark").fetchall(),
                 "ties": reader.execute("SELECT rank, n_models, model_ids FROM tie_groups ORDER BY rank").fetchall()}
    cols = ("average", "se", "low", "high", "rank", "tie", "pareto", "mean")
    return info, {r[0]: dict(zip(cols, r[1:])) for r in rows}, extra


def test_mean_is_the_default_and_is_declared(con, three_models, tmp_path):
    _, rows, extra = board(con, tmp_path, RankingConfig())
    assert rows["org/a"]["average"] == pytest.approx((100 / 3 + 50) / 2)
    assert rows["org/a"]["se"] == pytest.approx(math.sqrt(32) / 2)
    assert rows["org/a"]["mean"] == rows["org/a"]["average"]
    aggregation, weights, formula = extra["publication"]
    assert aggregation == "mean" and "aggregation = mean" in formula and "LMArena" in formula
    assert set(json.loads(weights)[three_models].values()) == {1.0}
    assert extra["weights"] == [("arc_easy", 1.0, 0.5), ("gsm8k", 1.0, 0.5)]


def test_weighted_mean(con, three_models, tmp_path):
    _, rows, extra = board(con, tmp_path, RankingConfig("weighted_mean", {"arc_easy": 3.0}))
    assert rows["org/a"]["average"] == pytest.approx((3 * 100 / 3 + 50) / 4)  # 37.5
    assert rows["org/a"]["se"] == pytest.approx(math.sqrt((3 * 4) ** 2 + 4 ** 2) / 4)
    assert rows["org/a"]["low"] == pytest.approx(37.5 - 1.96 * math.sqrt(160) / 4)
    assert rows["org/a"]["mean"] == pytest.approx((100 / 3 + 50) / 2)  # the plain mean stays published
    assert extra["weights"] == [("arc_easy", 3.0, 0.75), ("gsm8k", 1.0, 0.25)]
    assert extra["publication"][0] == "weighted_mean"


def test_mean_win_rate_with_its_interval(con, three_models, tmp_path):
    # arc_easy: a 33.3, b 50, c 0 → a beats c (1/2), b beats both (1), c none (0)
    # gsm8k:    a 50,  b 50, c 0 → a and b beat c and tie each other (1.5/2), c none
    # interval: each of the model's scores at its own ± 1.96·se (7.84), the others fixed
    _, rows, extra = board(con, tmp_path, RankingConfig("win_rate"))
    assert {m: (r["average"], r["low"], r["high"]) for m, r in rows.items()} == {
        "org/a": pytest.approx((62.5, 50.0, 75.0)), "org/b": pytest.approx((87.5, 75.0, 100.0)),
        "org/c": pytest.approx((0.0, 0.0, 0.0))}
    assert {m: r["rank"] for m, r in rows.items()} == {"org/a": 1, "org/b": 1, "org/c": 3}
    assert extra["ties"] == [(1, 2, ["org/b", "org/a"]), (3, 1, ["org/c"])]
    assert "win" in extra["publication"][2]


def test_tie_groups_and_pareto_frontier(con, three_models, tmp_path):
    # mean: a [36.1, 47.2] and b [44.5, 55.5] overlap (rank 1, one tie group); c is below both
    _, rows, extra = board(con, tmp_path, RankingConfig())
    assert {m: (r["rank"], r["tie"]) for m, r in rows.items()} == {"org/a": (1, 2), "org/b": (1, 2), "org/c": (3, 1)}
    assert extra["ties"] == [(1, 2, ["org/b", "org/a"]), (3, 1, ["org/c"])]
    # a (6 params) is dominated by b (6 params, higher); c is the smallest
    assert {m: r["pareto"] for m, r in rows.items()} == {"org/a": False, "org/b": True, "org/c": True}


def test_compare_cli_runs_the_paired_bootstrap_on_the_published_snapshot(con, three_models, tmp_path, capsys):
    from leaderboard import compare
    path = tmp_path / "published" / "leaderboard.duckdb"
    publish(con, path, PUBLISHED_AT, RankingConfig())
    compare.main(["org/b", "org/c", "--suite-version", three_models, "--snapshot", str(path),
                  "--resamples", "300", "--seed", "1"])
    out = json.loads(capsys.readouterr().out)
    # shared items: arc_easy doc 0..7 (c has 10, b has 8), gsm8k doc 0..1
    assert out["shared_items"] == {"arc_easy": 8, "gsm8k": 2}
    assert out["difference"] == pytest.approx(50.0)  # arc_easy: 50 vs 0 (c below baseline); gsm8k: 50 vs 0
    assert out == compare.compare(path, "org/b", "org/c", three_models, n_resamples=300, seed=1)
