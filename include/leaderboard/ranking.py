"""Ranking that is honest about uncertainty: aggregation, 95% intervals, tie-aware ranks,
tie groups, the Pareto frontier and a paired bootstrap. Pure numpy over arrays.

Each benchmark score first gets a 95% interval that is honest at small n (`score_interval`:
Wilson for binary item scores, never zero-width) and the stderr-equivalent of that interval
(`stderr_equivalent`); publish stores them per result (result_intervals) and SQL
(sql/leaderboard_scores.sql) normalises scores and bounds; everything else here works on
those normalised scores. The sums run in a fixed order (np.bincount over rows sorted by model
and benchmark), so the same inputs give bit-identical outputs: the snapshot hash depends on it.

The strategy and the weights are data (ranking.yaml); `formula(config)` is the text published
with every snapshot."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import yaml

from leaderboard.errors import LeaderboardError

CONFIG_PATH = Path(__file__).parent / "ranking.yaml"
FORMULA_VERSION = 3
Z95 = 1.96  # two-sided 95% normal quantile
AGGREGATIONS = ("mean", "weighted_mean", "win_rate")


class RankingConfigError(LeaderboardError):
    """ranking.yaml (or LEADERBOARD_AGGREGATION) is invalid."""


@dataclass(frozen=True)
class RankingConfig:
    aggregation: str = "mean"  # one of AGGREGATIONS
    # benchmark -> weight, used by weighted_mean only; an unlisted benchmark weighs 1
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self):
        if self.aggregation not in AGGREGATIONS:
            raise RankingConfigError(f"unknown aggregation {self.aggregation!r}; known: {', '.join(AGGREGATIONS)}")
        for name, w in self.weights.items():
            if not isinstance(w, (int, float)) or isinstance(w, bool) or not w > 0:
                raise RankingConfigError(f"weight of {name!r} must be a positive number, got {w!r}")

    def weight(self, benchmark: str) -> float:
        """The weight the aggregate gives a benchmark: 1 unless the strategy is weighted_mean."""
        return float(self.weights.get(benchmark, 1.0)) if self.aggregation == "weighted_mean" else 1.0


def load_ranking_config(path: Path = CONFIG_PATH, environ: Mapping[str, str] | None = None) -> RankingConfig:
    environ = os.environ if environ is None else environ
    raw = yaml.safe_load(path.read_text()) or {}
    unknown = set(raw) - {"aggregation", "weights"}
    if unknown:
        raise RankingConfigError(f"{path.name}: unknown keys {sorted(unknown)}")
    aggregation = environ.get("LEADERBOARD_AGGREGATION") or raw.get("aggregation", "mean")
    return RankingConfig(aggregation=aggregation, weights=dict(raw.get("weights") or {}))


def formula(config: RankingConfig) -> str:
    """The published description of how the snapshot was computed."""
    aggregate = {
        "mean": "score = mean of normalized over the suite's benchmarks; "
                "score_stderr = sqrt(sum(normalized_stderr^2)) / k",
        "weighted_mean": "score = sum(w_b * normalized_b) / sum(w_b) with the weights in ranking_weights; "
                         "score_stderr = sqrt(sum((w_b * normalized_stderr_b)^2)) / sum(w_b)",
        "win_rate": "score = 100 * mean over benchmarks of the share of the track's other ranked models this "
                    "model beats on the normalized score (a tie counts half; alone on a track: 50); CI: the same "
                    "win rate with every benchmark score of the model moved to its own 95% bound "
                    "(normalized ± 1.96 * normalized_stderr) and the other models at their point estimates "
                    "(conservative); score_stderr = CI width / (2 * 1.96); incomplete models: the mean of what they have",
    }[config.aggregation]
    return (
        f"aggregation = {config.aggregation}; "
        "normalized = max(0, (raw - random_baseline) / (1 - random_baseline)) * 100 per benchmark; "
        "per-benchmark 95% interval from the n item scores: binary items (every item 0 or 1) -> Wilson score "
        "interval (z = 1.96) of k successes in n, [0, 1] when n = 0; other items (or items not stored) -> the "
        "Wilson interval at the mean with n, widened to contain mean ± 1.96 * raw_stderr, clipped to [0, 1] "
        "(raw_stderr from the harness, else stddev_samp(item scores) / sqrt(n)); "
        "normalized_ci_low/high = the interval's bounds normalized like the score; "
        "stderr_equivalent = max(raw_stderr, (ci_high - ci_low) / (2 * 1.96)), so a constant or single-item "
        "result never counts as certain; "
        "normalized_stderr = stderr_equivalent / (1 - random_baseline) * 100; "
        f"{aggregate}; "
        "CI95 = score ± 1.96 * score_stderr (mean strategies), clipped to [0, 100]; "
        "rank = 1 + number of complete models of the track whose ci_low > this model's ci_high (LMArena rule); "
        "tie group = the complete models sharing a rank; "
        "on_pareto_frontier = no complete model of the track has parameters <= and score >= with one strict; "
        "the columns average/average_stderr hold score/score_stderr"
    )


# --- per-benchmark intervals ---------------------------------------------------------------------

def wilson_at(p, n, z: float = Z95):
    """The Wilson score interval around a proportion p of n items: (low, high), inside [0, 1].
    Scalars or numpy arrays; n = 0 gives (0, 1): no item, no knowledge. Never zero-width for n >= 1,
    and it always contains p (p in [0, 1])."""
    p, n = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    safe_n = np.where(n > 0, n, 1.0)
    z2n = z * z / safe_n
    denominator = 1.0 + z2n
    center = (p + z2n / 2.0) / denominator
    half = z / denominator * np.sqrt(np.maximum(p * (1.0 - p), 0.0) / safe_n + z2n / (4.0 * safe_n))
    low = np.where(p <= 0.0, 0.0, np.clip(center - half, 0.0, 1.0))  # exact ends where p is 0 or 1
    high = np.where(p >= 1.0, 1.0, np.clip(center + half, 0.0, 1.0))
    low = np.where(n > 0, np.minimum(low, np.clip(p, 0.0, 1.0)), 0.0)  # contains p despite rounding
    high = np.where(n > 0, np.maximum(high, np.clip(p, 0.0, 1.0)), 1.0)
    return _scalar_or_array(low), _scalar_or_array(high)


def wilson(k, n, z: float = Z95):
    """The Wilson score interval (z = 1.96: 95%) of k successes in n trials: (low, high)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    return wilson_at(np.where(n > 0, k / np.where(n > 0, n, 1.0), 0.0), n, z)


def score_interval(mean, n, stderr, binary, z: float = Z95):
    """The published 95% interval of one benchmark score (a mean of n item scores in [0, 1]):
    binary items (every one 0 or 1): the Wilson interval of mean * n successes in n;
    other items: the Wilson interval at the mean with n, widened where needed to contain
    mean ± z * stderr (a [0, 1] variable has variance at most p(1 - p), so this is never narrower
    than the binary case), clipped to [0, 1]. stderr NaN counts as 0."""
    mean = np.asarray(mean, dtype=float)
    low, high = (np.asarray(b) for b in wilson_at(mean, n, z))
    half = z * np.nan_to_num(np.asarray(stderr, dtype=float), nan=0.0)
    widen = ~np.asarray(binary, dtype=bool)
    low = np.where(widen, np.clip(np.minimum(low, mean - half), 0.0, 1.0), low)
    high = np.where(widen, np.clip(np.maximum(high, mean + half), 0.0, 1.0), high)
    return _scalar_or_array(low), _scalar_or_array(high)


def stderr_equivalent(stderr, low, high, z: float = Z95):
    """The stderr the aggregate uses for a benchmark score: max(stderr, (high - low) / (2 z)).
    An interval that is never zero-width makes a stderr that is never zero. stderr NaN counts as 0."""
    se = np.nan_to_num(np.asarray(stderr, dtype=float), nan=0.0)
    width = (np.asarray(high, dtype=float) - np.asarray(low, dtype=float)) / (2.0 * z)
    return _scalar_or_array(np.maximum(se, width))


def _scalar_or_array(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


# --- the pieces -------------------------------------------------------------------------------

def weighted_means(model_idx: np.ndarray, n_models: int, values: np.ndarray, stderrs: np.ndarray,
                   weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per model: sum(w v) / sum(w) and sqrt(sum((w se)^2)) / sum(w). Rows of a model need not
    be adjacent; the sums run in row order."""
    w_sum = np.bincount(model_idx, weights=weights, minlength=n_models)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(model_idx, weights=weights * values, minlength=n_models) / w_sum
        se = np.sqrt(np.bincount(model_idx, weights=(weights * stderrs) ** 2, minlength=n_models)) / w_sum
    return mean, se


def win_rates(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each model i: the share of the other models j whose value is below at[i], a tie
    counting half; `values` are all models' point estimates on one benchmark."""
    n = len(values)
    if n == 1:
        return np.full(1, 0.5)
    ordered = np.sort(values)
    below = np.searchsorted(ordered, at, side="left")
    equal = np.searchsorted(ordered, at, side="right") - below
    wins = below + 0.5 * equal
    own = np.where(values < at, 1.0, np.where(values == at, 0.5, 0.0))  # a model does not play itself
    return (wins - own) / (n - 1)


def tie_aware_ranks(ci_low: np.ndarray, ci_high: np.ndarray) -> np.ndarray:
    """1 + the number of models whose ci_low is strictly above this model's ci_high. O(n log n)."""
    lows = np.sort(ci_low)
    return 1 + len(lows) - np.searchsorted(lows, ci_high, side="right")


def pareto_frontier(score: np.ndarray, parameters: np.ndarray) -> np.ndarray:
    """True where no other model has parameters <= and score >= with at least one strict."""
    on = np.zeros(len(score), dtype=bool)
    if len(score) == 0:
        return on
    order = np.lexsort((-score, parameters))  # parameters ascending, then score descending
    p, s = parameters[order], score[order]
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
    group_best = s[starts]  # the best score of each parameter count
    before = np.r_[-np.inf, np.maximum.accumulate(group_best)[:-1]]  # best of strictly fewer parameters
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(s)]))
    on[order] = (s == group_best[group]) & (group_best[group] > before[group])
    return on


# --- a whole snapshot ---------------------------------------------------------------------------

@dataclass
class Ranked:
    score: np.ndarray           # the aggregate under the strategy, per model
    score_stderr: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    mean_normalized: np.ndarray  # the plain mean of the normalised scores, whatever the strategy
    rank: np.ndarray             # int; 0 where the model is not ranked (incomplete)
    on_frontier: np.ndarray      # int8: 1, 0, or -1 where undefined (incomplete, no parameter count)


def rank_models(config: RankingConfig, track: np.ndarray, complete: np.ndarray, parameters: np.ndarray,
                row_model: np.ndarray, row_benchmark: np.ndarray, normalized: np.ndarray,
                normalized_stderr: np.ndarray, weight: np.ndarray) -> Ranked:
    """Models are indexed 0..n-1 (track: an int per model; parameters: NaN when unknown).
    Rows are one per (model, benchmark) score: row_model indexes the model, row_benchmark is an
    int code (the same benchmark of two tracks may share a code), normalized_stderr has no NaN."""
    n = len(track)
    mean_normalized, _ = weighted_means(row_model, n, normalized, normalized_stderr, np.ones_like(normalized))
    score, score_se = weighted_means(row_model, n, normalized, normalized_stderr, weight)
    ci_low = np.clip(score - Z95 * score_se, 0.0, 100.0)
    ci_high = np.clip(score + Z95 * score_se, 0.0, 100.0)

    if config.aggregation == "win_rate":
        ranked_rows = complete[row_model]
        rows_track = track[row_model]
        sums = {k: np.zeros(n) for k in ("point", "low", "high")}
        counts = np.zeros(n)
        for t in np.unique(track[complete]):
            in_track = ranked_rows & (rows_track == t)
            for b in np.unique(row_benchmark[in_track]):
                rows = np.flatnonzero(in_track & (row_benchmark == b))
                v, se, m = normalized[rows], normalized_stderr[rows], row_model[rows]
                sums["point"][m] += win_rates(v, v)
                sums["low"][m] += win_rates(v, v - Z95 * se)
                sums["high"][m] += win_rates(v, v + Z95 * se)
                counts[m] += 1
        wr = complete & (counts > 0)
        for key, target in (("point", score), ("low", ci_low), ("high", ci_high)):
            target[wr] = 100.0 * sums[key][wr] / counts[wr]
        score_se[wr] = (ci_high[wr] - ci_low[wr]) / (2 * Z95)

    rank = np.zeros(n, dtype=np.int64)
    on_frontier = np.full(n, -1, dtype=np.int8)
    for t in np.unique(track[complete]):
        members = np.flatnonzero(complete & (track == t))
        rank[members] = tie_aware_ranks(ci_low[members], ci_high[members])
        known = members[~np.isnan(parameters[members])]
        on_frontier[known] = pareto_frontier(score[known], parameters[known])
    return Ranked(score, score_se, ci_low, ci_high, mean_normalized, rank, on_frontier)


# --- paired bootstrap ---------------------------------------------------------------------------

def paired_bootstrap(items_a: Mapping[str, np.ndarray], items_b: Mapping[str, np.ndarray],
                     baselines: Mapping[str, float], weights: Mapping[str, float],
                     n_resamples: int = 2000, seed: int = 0, chunk: int = 250) -> dict:
    """Difference a − b of the weighted mean of normalised scores, resampling the shared items
    of each benchmark together (paired), stratified by benchmark. items_x[benchmark] holds the
    per-item scores of the shared items, in the same item order for a and b.

    Returns the observed difference, its 95% percentile interval, and the share of resamples in
    which a does not beat b. Seeded: the same inputs and seed give the same answer."""
    benchmarks = sorted(items_a)
    if not benchmarks or sorted(items_b) != benchmarks:
        raise ValueError("the two models share no items")
    rng = np.random.default_rng(seed)
    w = np.array([weights.get(b, 1.0) for b in benchmarks])

    def normalise(raw, baseline):
        return np.maximum(0.0, (raw - baseline) / (1.0 - baseline)) * 100.0

    observed = sum(wi * (normalise(items_a[b].mean(), baselines[b]) - normalise(items_b[b].mean(), baselines[b]))
                   for wi, b in zip(w, benchmarks)) / w.sum()
    diffs = np.zeros(n_resamples)
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        total = np.zeros(size)
        for wi, b in zip(w, benchmarks):
            a, bb = np.asarray(items_a[b], dtype=float), np.asarray(items_b[b], dtype=float)
            idx = rng.integers(0, len(a), size=(size, len(a)))
            total += wi * (normalise(a[idx].mean(axis=1), baselines[b]) - normalise(bb[idx].mean(axis=1), baselines[b]))
        diffs[start:start + size] = total / w.sum()
    low, high = np.percentile(diffs, [2.5, 97.5])
    return {"difference": float(observed), "ci_low": float(low), "ci_high": float(high),
            "p_a_not_better": float(np.mean(diffs <= 0)), "n_resamples": n_resamples, "seed": seed,
            "shared_items": {b: int(len(items_a[b])) for b in benchmarks}}
