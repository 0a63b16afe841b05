"""The demo suite's power calculation: per-item cost and per-item variance of each benchmark on
every rung of the demo ladder, and the separation margin between adjacent rungs.

It evaluates the ladder (include/leaderboard/demo/ladder.yaml) on a suite with the platform's
own steps (resolve, one harness process per benchmark with the local runner, the sandbox for
code, load, rank, publish) in a temporary LEADERBOARD_HOME, then prints:
- per benchmark and rung: score, 95% interval, n, seconds per item (harness eval time / n,
  and wall time including process start and model load / n), per-item variance;
- per rung: the published aggregate, its interval and rank;
- per adjacent pair: the margin ci_low(upper rung) - ci_high(lower rung) (> 0: separated);
- the projection: the margin each pair would have, and the evaluation time, if every
  benchmark had other item counts (the observed per-item rates held fixed, intervals
  recomputed with the published rule), for the suite's counts scaled by --scales.

    .venvs/platform/bin/python bench/demo_ladder.py [--suite demo] [--batch-size 32] [--dtype bfloat16]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def projected_margins(rates: dict[str, dict[str, float]], baselines: dict[str, float],
                      counts: dict[str, int], binary: dict[str, bool]) -> list[float]:
    """Margins between adjacent rungs if benchmark b had counts[b] items at the observed rates."""
    import numpy as np

    from leaderboard.ranking import Z95, score_interval, stderr_equivalent

    rungs = list(rates)
    bounds = []
    for rung in rungs:
        values, ses = [], []
        for b, n in counts.items():
            p, base = rates[rung][b], baselines[b]
            stderr = math.sqrt(p * (1 - p) / max(n - 1, 1))
            low, high = score_interval(p, n, stderr, binary[b])

            def norm(x, base=base):
                return max(0.0, (x - base) / (1 - base)) * 100

            values.append(norm(p))
            ses.append(stderr_equivalent(stderr / (1 - base) * 100, norm(low), norm(high)))
        score = float(np.mean(values))
        se = math.sqrt(sum(s * s for s in ses)) / len(ses)
        bounds.append((max(0.0, score - Z95 * se), min(100.0, score + Z95 * se)))
    return [bounds[i][0] - bounds[i + 1][1] for i in range(len(rungs) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="demo")
    parser.add_argument("--batch-size", type=int, default=int(os.environ.get("LEADERBOARD_BATCH_SIZE", "32")))
    parser.add_argument("--dtype", default=os.environ.get("LEADERBOARD_DTYPE", "bfloat16"))
    parser.add_argument("--scales", default="0.5,0.75,1,1.5,2", help="item-count multipliers to project")
    parser.add_argument("--keep", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-ladder-"))
    os.environ.update({
        "LEADERBOARD_HOME": str(work / "leaderboard"), "LEADERBOARD_BATCH_SIZE": str(args.batch_size),
        "LEADERBOARD_DTYPE": args.dtype,
        "LEADERBOARD_MODELS_DIR": os.environ.get("LEADERBOARD_MODELS_DIR", str(REPO / "var" / "models")),
    })
    from leaderboard import pipeline
    from leaderboard.catalogue import load_catalogue
    from leaderboard.demo import ladder_model_ids
    from leaderboard.settings import load_settings
    from leaderboard.warehouse import read_only

    settings = load_settings()
    suite = load_catalogue().suite(args.suite)
    rungs = ladder_model_ids()
    stats: dict[str, dict[str, dict]] = {}
    started = time.perf_counter()
    for number, model_id in enumerate(rungs):
        run_id = f"bench__ladder__{number}"
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        jobs = pipeline.resolve_submission(run_id, model_id, "main", suite.name, submitted_at=now)
        for job in jobs:
            name = job["benchmark"]["name"]
            t0 = time.perf_counter()
            pipeline.run_benchmark(run_id, job)
            wall = time.perf_counter() - t0
            out = pipeline.run_directory(settings, run_id) / "benchmarks" / name
            document = json.loads((out / "results.json").read_text())
            scores = [json.loads(line)["score"] for line in (out / "samples.jsonl").read_text().splitlines()]
            n = len(scores)
            mean = sum(scores) / n
            stats.setdefault(model_id, {})[name] = {
                "n": n, "mean": mean, "variance": sum((s - mean) ** 2 for s in scores) / max(n - 1, 1),
                "binary": all(s in (0, 1) for s in scores),
                "eval_s_per_item": document["timings"]["eval_seconds"] / n, "wall_s": wall,
                "wall_s_per_item": wall / n,
            }
            print(f"  {model_id:45s} {name:10s} n={n:5d} mean={mean:.3f} "
                  f"eval {document['timings']['eval_seconds']:6.1f} s ({stats[model_id][name]['eval_s_per_item']:.3f} s/item) "
                  f"wall {wall:6.1f} s", flush=True)
        pipeline.load_results(run_id, finished_at=now)
    eval_wall = time.perf_counter() - started
    pipeline.publish_leaderboard(published_at=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()))

    with read_only(settings.published_path) as con:
        board = {row[0]: row[1:] for row in con.execute(
            "SELECT model_id, average, ci_low, ci_high, rank FROM leaderboard WHERE suite = $suite",
            {"suite": suite.name}).fetchall()}
        scores = con.execute(
            "SELECT model_id, benchmark, raw_score, raw_ci_low, raw_ci_high, n_samples FROM leaderboard_scores "
            "WHERE suite = $suite", {"suite": suite.name}).fetchall()
    intervals = {(m, b): (lo, hi) for m, b, _, lo, hi, _ in scores}

    benchmarks = [e.benchmark.name for e in suite.entries]
    sizes = ", ".join(f"{b} n={stats[rungs[0]][b]['n']}" for b in benchmarks)
    print(f"\nsuite {suite.name}: {sizes}; "
          f"batch size {args.batch_size}, {args.dtype}; {len(rungs)} rungs evaluated one after another in {eval_wall:.0f} s")
    print("\nper benchmark: score [95% interval] per rung; seconds per item (harness eval / wall incl. start)")
    for b in benchmarks:
        cells = []
        for m in rungs:
            lo, hi = intervals.get((m, b), (float("nan"), float("nan")))
            cells.append(f"{stats[m][b]['mean']:.3f} [{lo:.3f}, {hi:.3f}]")
        eval_rate = sum(stats[m][b]["eval_s_per_item"] for m in rungs) / len(rungs)
        wall_rate = sum(stats[m][b]["wall_s_per_item"] for m in rungs) / len(rungs)
        var = sum(stats[m][b]["variance"] for m in rungs) / len(rungs)
        print(f"  {b:10s} {' | '.join(cells)}  {eval_rate:.3f} / {wall_rate:.3f} s/item, mean item variance {var:.3f}")
    print("\nper rung: published aggregate [95% CI], rank")
    for m in rungs:
        avg, lo, hi, rank = board[m]
        print(f"  {rank}  {m:45s} {avg:6.2f} [{lo:6.2f}, {hi:6.2f}]")
    print("\nseparation margins, ci_low(upper) - ci_high(lower), > 0 is separated:")
    ok = True
    for upper, lower in zip(rungs, rungs[1:]):
        margin = board[upper][1] - board[lower][2]
        ok &= margin > 0
        print(f"  {upper} over {lower}: {margin:+.2f} points")
    print(f"  ranks in ladder order and all distinct: {ok and [board[m][3] for m in rungs] == list(range(1, len(rungs) + 1))}")

    baselines = {e.benchmark.name: e.benchmark.random_baseline for e in suite.entries}
    binary = {b: all(stats[m][b]["binary"] for m in rungs) for b in benchmarks}
    rates = {m: {b: stats[m][b]["mean"] for b in benchmarks} for m in rungs}
    counts = {b: stats[rungs[0]][b]["n"] for b in benchmarks}
    print("\nprojection (observed rates and per-item costs held fixed): items per benchmark -> "
          "smallest adjacent margin, harness time for all rungs")
    for scale in (float(s) for s in args.scales.split(",")):
        scaled = {b: max(1, round(n * scale)) for b, n in counts.items()}
        margins = projected_margins(rates, baselines, scaled, binary)
        seconds = sum(stats[m][b]["eval_s_per_item"] * scaled[b] + (stats[m][b]["wall_s"]
                      - stats[m][b]["eval_s_per_item"] * counts[b]) for m in rungs for b in benchmarks)
        print(f"  x{scale:<4g} {scaled}: min margin {min(margins):+.2f}, margins "
              f"{', '.join(f'{x:+.2f}' for x in margins)}; about {seconds:.0f} s of evaluation")
    print(f"\nwork folder: {work}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
