"""Paired bootstrap between two models of a track, on the published snapshot.

    python -m leaderboard.compare ORG/A ORG/B --suite-version V [--resamples 2000] [--seed 0]
                                  [--snapshot var/published/leaderboard.duckdb]

Resamples the items both models answered (joined on benchmark and doc_id), stratified by
benchmark, and reports the difference a − b of the aggregate of normalised scores (with the
snapshot's benchmark weights for weighted_mean, equal weights otherwise, also for win_rate),
its 95% percentile interval and the share of resamples where a does not beat b. Seeded."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from leaderboard.ranking import paired_bootstrap
from leaderboard.settings import load_settings
from leaderboard.warehouse import read_only, sql


def compare(snapshot: Path, model_a: str, model_b: str, suite_version: str,
            n_resamples: int = 2000, seed: int = 0) -> dict:
    with read_only(snapshot) as con:
        items = con.execute(sql("paired_items"), {"suite_version": suite_version, "model_a": model_a,
                                                  "model_b": model_b}).fetchnumpy()
        aggregation = con.execute("SELECT aggregation FROM publication").fetchone()[0]
        weights = dict(con.execute("SELECT benchmark, weight FROM ranking_weights WHERE suite_version = ?",
                                   [suite_version]).fetchall())
    if len(items["benchmark"]) == 0:
        raise SystemExit(f"{model_a} and {model_b} share no items on track {suite_version}")
    benchmarks = np.asarray(items["benchmark"], dtype=object)
    a, b, baselines = {}, {}, {}
    for name in sorted(set(benchmarks)):
        rows = benchmarks == name
        a[name], b[name] = np.asarray(items["score_a"][rows]), np.asarray(items["score_b"][rows])
        baselines[name] = float(items["random_baseline"][rows][0])
    if aggregation != "weighted_mean":
        weights = {}
    result = paired_bootstrap(a, b, baselines, weights, n_resamples=n_resamples, seed=seed)
    return {"model_a": model_a, "model_b": model_b, "suite_version": suite_version, **result}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_a")
    parser.add_argument("model_b")
    parser.add_argument("--suite-version", required=True)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--snapshot", type=Path, default=None, help="the published file (default: the current one)")
    args = parser.parse_args(argv)
    snapshot = args.snapshot or load_settings().published_path
    print(json.dumps(compare(snapshot, args.model_a, args.model_b, args.suite_version, args.resamples, args.seed),
                     indent=1))


if __name__ == "__main__":
    main()
