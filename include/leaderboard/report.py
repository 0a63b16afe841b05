"""Print a track of the published leaderboard in the terminal.

    python -m leaderboard.report var/published/leaderboard.duckdb --suite smoke
"""

from __future__ import annotations

import argparse
from pathlib import Path

from leaderboard.warehouse import read_only

QUERY = """
SELECT l.rank, l.model_id, s.benchmark, s.raw_score, s.raw_ci_low, s.raw_ci_high, s.n_samples,
       l.average, l.ci_low, l.ci_high, l.complete
FROM leaderboard AS l
JOIN leaderboard_scores AS s USING (suite_version, model_id)
WHERE l.suite_version = $suite_version
ORDER BY l.complete DESC, l.position, l.model_id, s.benchmark
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--suite", default="smoke")
    args = parser.parse_args()
    if not args.snapshot.is_file():
        raise SystemExit(f"no published snapshot at {args.snapshot}")
    with read_only(args.snapshot) as con:
        track = con.execute(
            "SELECT suite_version FROM leaderboard WHERE suite = $suite GROUP BY suite_version "
            "ORDER BY max(evaluated_at) DESC LIMIT 1", {"suite": args.suite}).fetchone()
        if track is None:
            raise SystemExit(f"the snapshot has no results for suite {args.suite!r}")
        published = con.execute("SELECT snapshot_id, published_at FROM publication").fetchone()
        rows = con.execute(QUERY, {"suite_version": track[0]}).fetchall()
    print(f"\nLeaderboard, suite {args.suite} (track {track[0]}), snapshot {published[0]} published {published[1]}")
    current = None
    for rank, model, bench, raw, raw_lo, raw_hi, n, avg, lo, hi, complete in rows:
        if model != current:
            current = model
            label = f"#{rank}" if complete else "(incomplete)"
            print(f"  {label:<12} {model:<42} average {avg:6.2f}  95% CI [{lo:6.2f}, {hi:6.2f}]")
        print(f"  {'':<12}   {bench:<14} {format_score(raw, raw_lo, raw_hi, n)}")


def format_score(raw: float, low: float | None, high: float | None, n: int) -> str:
    """A benchmark score with its 95% interval and item count: "0.460 [0.39, 0.53] n=200"."""
    interval = "" if low is None or high is None else f" [{low:.2f}, {high:.2f}]"
    return f"{raw:.3f}{interval} n={n}"


if __name__ == "__main__":
    main()
