-- The benchmarks of a track, in the order the leaderboard lists them.
SELECT benchmark, title, family, primary_metric, random_baseline, item_limit
FROM suite_benchmarks
WHERE suite_version = $suite_version
ORDER BY benchmark
