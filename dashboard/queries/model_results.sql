-- A model's results on one track and revision. Normalized scores exist only for the ranked revision.
SELECT
    r.result_id,
    r.benchmark,
    sb.title,
    r.primary_metric,
    r.score AS raw_score,
    r.stderr AS raw_stderr,
    ls.normalized_score,
    ls.normalized_stderr,
    r.n_samples,
    r.evaluated_at,
    r.run_id,
    r.document
FROM results AS r
LEFT JOIN suite_benchmarks AS sb USING (suite_version, benchmark)
LEFT JOIN leaderboard_scores AS ls ON ls.result_id = r.result_id
WHERE r.model_id = $model_id AND r.suite_version = $suite_version AND r.revision = $revision
ORDER BY r.benchmark
