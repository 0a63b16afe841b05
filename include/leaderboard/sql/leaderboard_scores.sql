-- One row per (track, model, benchmark): the raw score and its normalised form, each with its
-- 95% interval, and the item count n (n_samples) behind them.
-- Normalisation (Open LLM Leaderboard v2): max(0, (raw - baseline) / (1 - baseline)) * 100, applied
-- to the score and to both ends of its interval.
-- Expects `result_intervals` (publish: ranking.score_interval per result): the interval is Wilson
-- for binary item scores, never zero-width; normalized_stderr is its stderr-equivalent,
-- max(raw_stderr, (high - low) / (2 * 1.96)), normalised: what the aggregate uses.
WITH suite_size AS (
    SELECT suite_version, count(*) AS n_benchmarks FROM suite_benchmarks GROUP BY suite_version
),
revision_status AS (
    SELECT suite_version, model_id, revision, count(*) AS n_scored, max(evaluated_at) AS last_evaluated
    FROM results
    GROUP BY suite_version, model_id, revision
),
latest_revision AS (
    -- Per track, a model is shown at its most recently evaluated complete revision, else at its
    -- most recent one; the revision string breaks exact ties so the choice is deterministic.
    SELECT rs.suite_version, rs.model_id,
           arg_max(rs.revision, (rs.n_scored = s.n_benchmarks, rs.last_evaluated, rs.revision)) AS revision
    FROM revision_status AS rs
    JOIN suite_size AS s USING (suite_version)
    GROUP BY rs.suite_version, rs.model_id
)
SELECT
    r.suite_version,
    r.suite,
    r.model_id,
    r.revision,
    r.benchmark,
    sb.title AS benchmark_title,
    sb.family,
    r.primary_metric,
    r.score AS raw_score,
    r.stderr AS raw_stderr,
    i.ci_low AS raw_ci_low,
    i.ci_high AS raw_ci_high,
    i.ci_method,
    sb.random_baseline,
    greatest(0.0, (r.score - sb.random_baseline) / (1.0 - sb.random_baseline)) * 100.0 AS normalized_score,
    i.stderr_equivalent / (1.0 - sb.random_baseline) * 100.0 AS normalized_stderr,
    greatest(0.0, (i.ci_low - sb.random_baseline) / (1.0 - sb.random_baseline)) * 100.0 AS normalized_ci_low,
    greatest(0.0, (i.ci_high - sb.random_baseline) / (1.0 - sb.random_baseline)) * 100.0 AS normalized_ci_high,
    r.n_samples,
    r.evaluated_at,
    r.result_id
FROM results AS r
JOIN latest_revision USING (suite_version, model_id, revision)
JOIN suite_benchmarks AS sb USING (suite_version, benchmark)
JOIN result_intervals AS i USING (result_id)
