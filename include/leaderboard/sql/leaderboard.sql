-- One row per (track, model): the aggregate with its 95% CI and a tie-aware rank.
-- Expects the relation `scores` (leaderboard_scores.sql).
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
        any_value(revision) AS revision,
        count(*) AS n_scored,
        list(benchmark ORDER BY benchmark) AS scored_benchmarks,
        avg(normalized_score) AS average,
        -- the benchmarks are independent samples: the mean's stderr is sqrt(sum se^2) / k
        sqrt(sum(coalesce(normalized_stderr, 0) ^ 2)) / count(*) AS average_stderr,
        max(evaluated_at) AS evaluated_at
    FROM scores
    GROUP BY suite_version, model_id
),
with_ci AS (
    SELECT
        p.*,
        p.n_scored = s.n_benchmarks AS complete,
        list_filter(s.benchmarks, lambda b: NOT list_contains(p.scored_benchmarks, b)) AS missing_benchmarks,
        -- normalised scores live in [0, 100], and so does their interval
        greatest(0.0, p.average - 1.96 * p.average_stderr) AS ci_low,
        least(100.0, p.average + 1.96 * p.average_stderr) AS ci_high
    FROM per_model AS p
    JOIN suite_size AS s USING (suite_version)
)
SELECT
    m.*,
    -- LMArena rule: 1 + the number of complete models whose CI lies entirely above this one.
    CASE WHEN m.complete THEN 1 + (
        SELECT count(*) FROM with_ci AS o
        WHERE o.suite_version = m.suite_version AND o.complete AND o.ci_low > m.ci_high
    ) END AS rank,
    -- Plain order by the point estimate, for display tie-breaking only.
    CASE WHEN m.complete THEN row_number() OVER (
        PARTITION BY m.suite_version, m.complete ORDER BY m.average DESC, m.model_id
    ) END AS position
FROM with_ci AS m
ORDER BY m.suite_version, m.complete DESC, m.average DESC, m.model_id
