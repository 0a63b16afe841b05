-- Every suite version with its description, harness, benchmarks and ranked model count.
SELECT
    sv.suite, sv.suite_version, sv.description, sv.harness_fingerprint, sv.first_seen_at,
    coalesce((SELECT list(sb.benchmark ORDER BY sb.benchmark) FROM suite_benchmarks AS sb
              WHERE sb.suite_version = sv.suite_version), []) AS benchmarks,
    (SELECT count(*) FROM leaderboard AS l WHERE l.suite_version = sv.suite_version AND l.complete) AS ranked_models
FROM suite_versions AS sv
WHERE $suite::VARCHAR IS NULL OR sv.suite = $suite::VARCHAR
ORDER BY sv.suite, sv.first_seen_at DESC, sv.suite_version
