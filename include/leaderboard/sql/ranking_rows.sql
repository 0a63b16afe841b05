-- One row per (track, model, benchmark), in model_idx then benchmark order: the arrays
-- ranking.rank_models aggregates, and the per-benchmark scores the snapshot file nests per model.
-- Expects `scores`, `model_aggregates` and `ranking_weights`.
SELECT
    a.model_idx,
    (dense_rank() OVER (ORDER BY s.benchmark) - 1)::BIGINT AS benchmark_idx,
    w.weight,
    s.benchmark,
    s.raw_score,
    s.raw_stderr,
    s.random_baseline,
    s.normalized_score,
    s.normalized_stderr,  -- the stderr-equivalent of the interval: never NULL, never 0 for n >= 1
    s.n_samples,
    s.result_id,
    s.raw_ci_low,
    s.raw_ci_high,
    s.normalized_ci_low,
    s.normalized_ci_high,
    s.ci_method
FROM scores AS s
JOIN model_aggregates AS a USING (suite_version, model_id)
JOIN ranking_weights AS w USING (suite_version, benchmark)
ORDER BY a.model_idx, s.benchmark
