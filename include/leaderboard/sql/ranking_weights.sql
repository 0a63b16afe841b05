-- The weight of each benchmark of each track, as the aggregate used it, and its share.
-- Expects the relation `incoming_weights` (suite_version, benchmark, weight) from ranking.yaml.
SELECT
    sb.suite_version,
    sb.benchmark,
    w.weight,
    w.weight / sum(w.weight) OVER (PARTITION BY sb.suite_version) AS share
FROM suite_benchmarks AS sb
JOIN incoming_weights AS w USING (suite_version, benchmark)
ORDER BY sb.suite_version, sb.benchmark
