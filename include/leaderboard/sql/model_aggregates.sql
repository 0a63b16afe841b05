-- One row per (track, model): what the ranking needs besides the scores themselves.
-- Expects the relation `scores` (leaderboard_scores.sql). model_idx numbers the rows in a fixed
-- order; ranking.rank_models works on arrays in that order.
WITH suite_size AS (
    SELECT suite_version, count(*) AS n_benchmarks, list(benchmark ORDER BY benchmark) AS benchmarks
    FROM suite_benchmarks
    GROUP BY suite_version
),
per_model AS (
    SELECT
        suite_version,
        any_value(suite) AS suite,
        model_id,
        any_value(revision) AS revision,  -- one revision per (track, model): leaderboard_scores chose it
        count(*) AS n_scored,
        list(benchmark ORDER BY benchmark) AS scored_benchmarks,
        max(evaluated_at) AS evaluated_at
    FROM scores
    GROUP BY suite_version, model_id
)
SELECT
    (row_number() OVER (ORDER BY p.suite_version, p.model_id) - 1)::BIGINT AS model_idx,
    (dense_rank() OVER (ORDER BY p.suite_version) - 1)::BIGINT AS track_idx,
    p.*,
    p.n_scored = s.n_benchmarks AS complete,
    list_filter(s.benchmarks, lambda b: NOT list_contains(p.scored_benchmarks, b)) AS missing_benchmarks,
    m.parameters
FROM per_model AS p
JOIN suite_size AS s USING (suite_version)
LEFT JOIN models AS m USING (model_id, revision)
