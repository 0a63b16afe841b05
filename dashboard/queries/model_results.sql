-- A model's results on one track and revision, each with its published 95% interval (Wilson for
-- binary item scores, never zero-width) and its item count. Normalized scores exist only for the
-- ranked revision.
SELECT
    r.result_id,
    r.benchmark,
    sb.title,
    r.primary_metric,
    r.score AS raw_score,
    r.stderr AS raw_stderr,
    ri.ci_low AS raw_ci_low,
    ri.ci_high AS raw_ci_high,
    ls.normalized_score,
    ls.normalized_stderr,
    ls.normalized_ci_low,
    ls.normalized_ci_high,
    r.n_samples,
    r.evaluated_at,
    r.run_id,
    r.document
FROM results AS r
LEFT JOIN suite_benchmarks AS sb USING (suite_version, benchmark)
LEFT JOIN result_intervals AS ri ON ri.result_id = r.result_id
LEFT JOIN leaderboard_scores AS ls ON ls.result_id = r.result_id
WHERE r.model_id = $model_id AND r.suite_version = $suite_version AND r.revision = $revision
ORDER BY r.benchmark
