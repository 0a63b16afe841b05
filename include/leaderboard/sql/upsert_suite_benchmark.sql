INSERT OR REPLACE INTO suite_benchmarks
    (suite_version, benchmark, benchmark_version, title, family, primary_metric, random_baseline,
     item_limit, task_config_sha256, dataset_sha256)
VALUES
    ($suite_version, $benchmark, $benchmark_version, $title, $family, $primary_metric,
     $random_baseline, $item_limit, $task_config_sha256, $dataset_sha256);
