-- The model's row on every track of the current ranking.
SELECT suite_version, suite, revision, complete, rank, position, tie_group_size, average, average_stderr,
       ci_low, ci_high, missing_benchmarks, on_pareto_frontier, evaluated_at
FROM leaderboard
WHERE model_id = $model_id
ORDER BY suite, suite_version
