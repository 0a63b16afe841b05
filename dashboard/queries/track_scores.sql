-- Per-benchmark scores of a track, one row per (model, benchmark).
SELECT model_id, benchmark, raw_score, raw_stderr, normalized_score, normalized_stderr
FROM leaderboard_scores
WHERE suite_version = $suite_version
