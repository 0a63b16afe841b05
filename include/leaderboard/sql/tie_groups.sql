-- The tie groups of each track: the ranked models sharing a tie-aware rank.
-- Expects the relation `leaderboard`.
SELECT
    suite_version,
    rank,
    count(*) AS n_models,
    list(model_id ORDER BY position) AS model_ids,
    min(average) AS min_average,
    max(average) AS max_average
FROM leaderboard
WHERE complete
GROUP BY suite_version, rank
ORDER BY suite_version, rank
