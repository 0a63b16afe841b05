"""Aggregation strategies, intervals, tie-aware ranks, tie groups, the Pareto frontier and the
paired bootstrap: numpy pieces on hand-computed arrays, then whole publishes."""

import json
import math

import duckdb
import numpy as np
import pytest

from leaderboard import warehouse
from leaderboard.publish import publish
from leaderboard.ranking import (FORMULA_VERSION, RankingConfig, RankingConfigError, formula, load_ranking_config,
                                 paired_bootstrap, pareto_frontier, score_interval, stderr_equivalent,
                                 tie_aware_ranks, wilson, wilson_at, win_rates)

from builders import make_job, model_info, valid_result

PUBLISHED_AT = "2025-02-01T00:00:00+00:00"


# --- per-benchmark intervals ---------------------------------------------------------------------

def test_wilson_matches_the_textbook_values():
    # 5 of 10 at 95%: [0.2366, 0.7634]; 0 of 10: [0, z²/(n + z²)] = [0, 0.2775]
    assert wilson(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-5)
    assert wilson(0, 10) == pytest.approx((0.0, 1.96 ** 2 / (10 + 1.96 ** 2)))
    assert wilson(10, 10) == pytest.approx((10 / (10 + 1.96 ** 2), 1.0))
    # by hand, 81 of 263: centre (p + z²/2n) / (1 + z²/n), half z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)
    p, n, z = 81 / 263, 263, 1.96
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson(81, 263) == pytest.approx((centre - half, centre + half))
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)


@pytest.mark.parametrize("k, n", [(0, 3), (3, 3), (8, 8), (0, 8), (1, 1), (0, 1)])
def test_constant_and_single_item_results_never_get_a_zero_width_interval(k, n):
    low, high = wilson(k, n)
    assert high - low > 0.1  # at most 8 items: far from certain
    assert stderr_equivalent(0.0, low, high) > 0.0
    assert score_interval(k / n, n, 0.0, True) == (low, high)
    wide_low, wide_high = score_interval(k / n, n, 0.0, False)
    assert wide_high - wide_low > 0.0


def test_wilson_of_no_item_is_total_ignorance():
    assert wilson(0, 0) == (0.0, 1.0)
    assert score_interval(0.0, 0, float("nan"), False) == (0.0, 1.0)


def test_intervals_contain_the_estimate_and_stay_in_0_1():
    rng = np.random.default_rng(3)
    n = rng.integers(1, 500, 5000)
    k = rng.integers(0, n + 1)
    low, high = wilson(k, n)
    p = k / n
    assert np.all((0.0 <= low) & (low <= p) & (p <= high) & (high <= 1.0) & (high > low))
    mean = rng.uniform(0, 1, 5000)
    stderr = rng.uniform(0, 0.5, 5000)
    low, high = score_interval(mean, n, stderr, np.zeros(5000, dtype=bool))
    assert np.all((0.0 <= low) & (low <= mean) & (mean <= high) & (high <= 1.0) & (high > low))
    # non-binary: never narrower than the binary (Wilson) interval at the same mean, and it holds mean ± 1.96 se
    w_low, w_high = wilson_at(mean, n)
    assert np.all((low <= w_low) & (high >= w_high))
    assert np.all((low <= np.maximum(0, mean - 1.96 * stderr)) & (high >= np.minimum(1, mean + 1.96 * stderr)))


def test_non_binary_interval_is_widened_to_the_sample_stderr():
    # pass@k-like item scores: mean 0.5 over 4 items, a large sample stderr
    w_low, w_high = wilson_at(0.5, 4)
    assert score_interval(0.5, 4, 0.01, False) == pytest.approx((w_low, w_high))  # Wilson is wider: kept
    assert score_interval(0.5, 400, 0.2, False) == pytest.approx((0.5 - 0.392, 0.5 + 0.392))  # stderr is wider
    assert score_interval(0.9, 400, 0.2, False)[1] == 1.0  # clipped to [0, 1]


def test_stderr_equivalent_is_the_larger_of_the_stderr_and_the_interval():
    assert stderr_equivalent(0.1, 0.4, 0.6) == pytest.approx(0.1)
    assert stderr_equivalent(0.0, 0.4, 0.6) == pytest.approx(0.2 / 3.92)
    assert stderr_equivalent(float("nan"), 0.4, 0.6) == pytest.approx(0.2 / 3.92)
    assert stderr_equivalent(np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([1.0, 1.0])).tolist() == \
        pytest.approx([1 / 3.92, 1.0])


def test_the_formula_states_the_interval_rule():
    text = formula(RankingConfig())
    assert FORMULA_VERSION == 3
    assert "Wilson score interval" in text and "widened to contain mean ± 1.96 * raw_stderr" in text
    assert "stderr_equivalent = max(raw_stderr, (ci_high - ci_low) / (2 * 1.96))" in text
    assert "normalized_stderr = stderr_equivalent / (1 - random_baseline) * 100" in text


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
    """normalized (arc_easy, gsm8k) ± stderr: a (33.33 ± 8, 50 ± 8), b (50 ± 8, 50 ± 8), c (0 ± 8, 0 ± 0.944);
    parameters: a 6, b 6, c 1. 100 to 500 items each, so the given stderrs exceed the stderr-equivalent
    of the Wilson intervals, except c's gsm8k: 0 of 100 with stderr 0 gets Wilson's, 0.0369 / 3.92."""
    suite = catalogue.suite("ci")
    warehouse.record_suite(con, suite, suite.version(harness), harness, PUBLISHED_AT)
    data = {"org/a": {"arc_easy": ([1, 0] * 50, 0.06), "gsm8k": ([1, 0] * 50, 0.08)},
            "org/b": {"arc_easy": ([1, 1, 1, 1, 1, 0, 0, 0] * 50, 0.06), "gsm8k": ([1, 0] * 50, 0.08)},
            "org/c": {"arc_easy": (([1] + [0] * 9) * 50, 0.06), "gsm8k": ([0, 0] * 50, 0.0)}}
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
    assert rows["org/a"]["se"] == pytest.approx(math.sqrt(128) / 2)
    # c's gsm8k (0 of 100, stderr 0) counts with Wilson's stderr-equivalent, not as certain
    c_gsm = 1.96 ** 2 / (100 + 1.96 ** 2) / 3.92 * 100
    assert rows["org/c"]["se"] == pytest.approx(math.sqrt(8 ** 2 + c_gsm ** 2) / 2)
    assert rows["org/c"]["high"] > rows["org/c"]["average"]
    assert rows["org/a"]["mean"] == rows["org/a"]["average"]
    aggregation, weights, formula = extra["publication"]
    assert aggregation == "mean" and "aggregation = mean" in formula and "LMArena" in formula
    assert set(json.loads(weights)[three_models].values()) == {1.0}
    assert extra["weights"] == [("arc_easy", 1.0, 0.5), ("gsm8k", 1.0, 0.5)]


def test_weighted_mean(con, three_models, tmp_path):
    _, rows, extra = board(con, tmp_path, RankingConfig("weighted_mean", {"arc_easy": 3.0}))
    assert rows["org/a"]["average"] == pytest.approx((3 * 100 / 3 + 50) / 4)  # 37.5
    assert rows["org/a"]["se"] == pytest.approx(math.sqrt((3 * 8) ** 2 + 8 ** 2) / 4)
    assert rows["org/a"]["low"] == pytest.approx(37.5 - 1.96 * math.sqrt(640) / 4)
    assert rows["org/a"]["mean"] == pytest.approx((100 / 3 + 50) / 2)  # the plain mean stays published
    assert extra["weights"] == [("arc_easy", 3.0, 0.75), ("gsm8k", 1.0, 0.25)]
    assert extra["publication"][0] == "weighted_mean"


def test_mean_win_rate_with_its_interval(con, three_models, tmp_path):
    # arc_easy: a 33.3, b 50, c 0 → a beats c (1/2), b beats both (1), c none (0)
    # gsm8k:    a 50,  b 50, c 0 → a and b beat c and tie each other (1.5/2), c none
    # interval: each of the model's scores at its own ± 1.96·se (15.68), the others fixed
    _, rows, extra = board(con, tmp_path, RankingConfig("win_rate"))
    assert {m: (r["average"], r["low"], r["high"]) for m, r in rows.items()} == {
        "org/a": pytest.approx((62.5, 50.0, 75.0)), "org/b": pytest.approx((87.5, 75.0, 100.0)),
        "org/c": pytest.approx((0.0, 0.0, 0.0))}
    assert {m: r["rank"] for m, r in rows.items()} == {"org/a": 1, "org/b": 1, "org/c": 3}
    assert extra["ties"] == [(1, 2, ["org/b", "org/a"]), (3, 1, ["org/c"])]
    assert "win" in extra["publication"][2]


def test_tie_groups_and_pareto_frontier(con, three_models, tmp_path):
    # mean: a [30.6, 52.7] and b [38.9, 61.1] overlap (rank 1, one tie group); c [0, 7.9] is below both
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
    # shared items: arc_easy doc 0..399 (c has 500, b has 400), gsm8k doc 0..99
    assert out["shared_items"] == {"arc_easy": 400, "gsm8k": 100}
    assert out["difference"] == pytest.approx(50.0)  # arc_easy: 50 vs 0 (c below baseline); gsm8k: 50 vs 0
    assert out == compare.compare(path, "org/b", "org/c", three_models, n_resamples=300, seed=1)
