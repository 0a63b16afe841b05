-- Every benchmark, with the tracks that include it (newest definition first).
SELECT
    sb.benchmark,
    arg_max(sb.title, sv.first_seen_at) AS title,
    arg_max(sb.family, sv.first_seen_at) AS family,
    arg_max(sb.primary_metric, sv.first_seen_at) AS primary_metric,
    arg_max(sb.random_baseline, sv.first_seen_at) AS random_baseline,
    list(DISTINCT sb.benchmark_version ORDER BY sb.benchmark_version) AS versions,
    list({'suite': sv.suite, 'suite_version': sb.suite_version, 'benchmark_version': sb.benchmark_version,
          'item_limit': sb.item_limit, 'task_config_sha256': sb.task_config_sha256,
          'dataset_sha256': sb.dataset_sha256}
         ORDER BY sv.suite, sv.first_seen_at DESC, sb.suite_version) AS tracks
FROM suite_benchmarks AS sb
JOIN suite_versions AS sv USING (suite_version)
GROUP BY sb.benchmark
ORDER BY sb.benchmark
