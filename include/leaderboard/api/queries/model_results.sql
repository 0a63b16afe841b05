-- Every result of one model: raw score with its 95% CI and, for the ranked revision, the
-- normalised score with its CI (clipped to [0, 100] like the aggregate). `document` is the full
-- results document: the reproducibility manifest.
SELECT
    r.result_id, r.suite, r.suite_version, r.revision, r.benchmark, r.benchmark_version, sb.title,
    r.primary_metric, r.score AS raw_score, r.stderr AS raw_stderr,
    -- primary metrics are proportions (accuracy, exact match): the CI is clipped to [0, 1]
    greatest(0.0, r.score - 1.96 * r.stderr) AS raw_ci_low, least(1.0, r.score + 1.96 * r.stderr) AS raw_ci_high,
    ls.normalized_score, ls.normalized_stderr,
    greatest(0.0, ls.normalized_score - 1.96 * ls.normalized_stderr) AS normalized_ci_low,
    least(100.0, ls.normalized_score + 1.96 * ls.normalized_stderr) AS normalized_ci_high,
    r.n_samples, r.evaluated_at, r.run_id, r.document::VARCHAR AS document
FROM results AS r
LEFT JOIN suite_benchmarks AS sb USING (suite_version, benchmark)
LEFT JOIN leaderboard_scores AS ls ON ls.result_id = r.result_id
WHERE r.model_id = $model_id
ORDER BY r.suite, r.suite_version, r.revision, r.benchmark
