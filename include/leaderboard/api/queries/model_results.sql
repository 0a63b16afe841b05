-- Every result of one model: raw score with its published 95% interval (result_intervals: Wilson
-- for binary item scores, never zero-width; see the publication's formula) and its item count n
-- (n_samples); for the ranked revision also the normalised score with its interval (the bounds
-- normalised like the score). `document` is the full results document: the reproducibility manifest.
SELECT
    r.result_id, r.suite, r.suite_version, r.revision, r.benchmark, r.benchmark_version, sb.title,
    r.primary_metric, r.score AS raw_score, r.stderr AS raw_stderr,
    ri.ci_low AS raw_ci_low, ri.ci_high AS raw_ci_high, ri.ci_method,
    ls.normalized_score, ls.normalized_stderr, ls.normalized_ci_low, ls.normalized_ci_high,
    r.n_samples, r.evaluated_at, r.run_id, r.document::VARCHAR AS document
FROM results AS r
LEFT JOIN suite_benchmarks AS sb USING (suite_version, benchmark)
LEFT JOIN result_intervals AS ri ON ri.result_id = r.result_id
LEFT JOIN leaderboard_scores AS ls ON ls.result_id = r.result_id
WHERE r.model_id = $model_id
ORDER BY r.suite, r.suite_version, r.revision, r.benchmark
