-- One row per (track, model, benchmark): the raw score and its normalised form.
-- Normalisation (Open LLM Leaderboard v2): max(0, (raw - baseline) / (1 - baseline)) * 100.
WITH latest_revision AS (
    -- A model is ranked at the revision it was most recently evaluated at, per track.
    SELECT suite_version, model_id, arg_max(revision, evaluated_at) AS revision
    FROM results
    GROUP BY suite_version, model_id
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
    sb.random_baseline,
    greatest(0.0, (r.score - sb.random_baseline) / (1.0 - sb.random_baseline)) * 100.0 AS normalized_score,
    r.stderr / (1.0 - sb.random_baseline) * 100.0 AS normalized_stderr,
    r.n_samples,
    r.evaluated_at,
    r.result_id
FROM results AS r
JOIN latest_revision USING (suite_version, model_id, revision)
JOIN suite_benchmarks AS sb USING (suite_version, benchmark)
