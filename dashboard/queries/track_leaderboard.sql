-- One row per model of a track, ranked models first in display order.
SELECT model_id, revision, complete, rank, position, average, average_stderr, ci_low, ci_high,
       scored_benchmarks, missing_benchmarks, evaluated_at
FROM leaderboard
WHERE suite_version = $suite_version
ORDER BY complete DESC, position, average DESC, model_id
