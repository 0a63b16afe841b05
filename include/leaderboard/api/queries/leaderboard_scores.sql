-- Per-benchmark scores of the given models on a track (the current ranking only), each with its
-- 95% interval (Wilson for binary item scores; see the publication's formula) and its item count.
SELECT s.model_id, s.benchmark, s.benchmark_title, s.family, s.raw_score, s.raw_stderr, s.raw_ci_low,
       s.raw_ci_high, s.normalized_score, s.normalized_stderr, s.normalized_ci_low, s.normalized_ci_high,
       s.n_samples, s.ci_method
FROM leaderboard_scores AS s
JOIN (SELECT DISTINCT unnest($model_ids::VARCHAR[]) AS model_id) AS wanted USING (model_id)
WHERE s.suite_version = $suite_version
ORDER BY s.model_id, s.benchmark
