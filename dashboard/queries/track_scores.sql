-- Per-benchmark scores of a track, one row per (model, benchmark), with the item count n.
SELECT model_id, benchmark, raw_score, raw_stderr, normalized_score, normalized_stderr, n_samples
FROM leaderboard_scores
WHERE suite_version = $suite_version
