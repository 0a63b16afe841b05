-- The model's leaderboard row on a track, if this revision is the one ranked there.
SELECT complete, rank, average, average_stderr, ci_low, ci_high, missing_benchmarks
FROM leaderboard
WHERE model_id = $model_id AND suite_version = $suite_version AND revision = $revision
