-- Every track (suite version) with its number of ranked (complete) models.
SELECT
    sv.suite,
    sv.suite_version,
    sv.description,
    sv.first_seen_at,
    count(lb.model_id) FILTER (WHERE lb.complete) AS ranked_models
FROM suite_versions AS sv
LEFT JOIN leaderboard AS lb USING (suite_version)
GROUP BY ALL
ORDER BY sv.suite, sv.first_seen_at DESC, sv.suite_version
