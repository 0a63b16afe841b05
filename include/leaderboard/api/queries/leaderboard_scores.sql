-- Per-benchmark scores of the given models on a track (the current ranking only).
SELECT s.model_id, s.benchmark, s.benchmark_title, s.family, s.raw_score, s.raw_stderr, s.normalized_score,
       s.normalized_stderr, s.n_samples
FROM leaderboard_scores AS s
JOIN (SELECT DISTINCT unnest($model_ids::VARCHAR[]) AS model_id) AS wanted USING (model_id)
WHERE s.suite_version = $suite_version
ORDER BY s.model_id, s.benchmark
