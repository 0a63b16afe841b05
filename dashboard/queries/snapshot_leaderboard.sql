-- The same rows as track_leaderboard.sql, from an earlier snapshot's immutable parquet file
-- ($file, absolute); model metadata comes from the current models table.
SELECT
    p.model_id, p.revision, p.complete, p.rank, p.position, p.average, p.average_stderr, p.ci_low, p.ci_high,
    p.missing_benchmarks, p.evaluated_at_utc AT TIME ZONE 'UTC' AS evaluated_at, p.parameters,
    p.on_pareto_frontier, m.model_type, m.precision, m.license, m.hub_url
FROM read_parquet($file) AS p
LEFT JOIN models AS m USING (model_id, revision)
WHERE p.suite_version = $suite_version
ORDER BY p.complete DESC, p.position, p.average DESC, p.model_id
