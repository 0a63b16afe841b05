-- The immutable snapshot's rows: the leaderboard in a fixed order, with time-zone-free
-- timestamps (UTC), so equal inputs give equal bytes. model_idx (dropped before writing) says
-- where each row's per-benchmark scores sit in ranking_rows.sql.
-- Expects the relations `leaderboard` and `model_aggregates`.
SELECT
    l.suite_version, l.suite, l.model_id, l.revision, l.parameters, l.complete, l.missing_benchmarks,
    l.rank, l.position, l.tie_group_size, l.average, l.average_stderr, l.ci_low, l.ci_high,
    l.mean_normalized, l.on_pareto_frontier,
    l.evaluated_at AT TIME ZONE 'UTC' AS evaluated_at_utc,
    a.model_idx
FROM leaderboard AS l
JOIN model_aggregates AS a USING (suite_version, model_id)
ORDER BY l.suite_version, l.complete DESC, l.average DESC, l.model_id
