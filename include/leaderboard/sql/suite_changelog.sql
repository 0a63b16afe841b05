-- The changelog of suite versions: one row per suite version (a leaderboard track), in the
-- order they were first seen, with what changed against the previous version of that suite.
-- Reads only suite_versions, so it runs against the published snapshot as well as the warehouse.
-- Parameter: $suite (NULL for every suite).

-- 1. Every version of a suite, with the version it followed.
WITH versions AS (
    SELECT suite, suite_version, first_seen_at, harness_fingerprint, definition,
           lag(suite_version) OVER w AS previous_version,
           lag(harness_fingerprint) OVER w AS previous_harness
    FROM suite_versions
    WHERE $suite IS NULL OR suite = $suite
    WINDOW w AS (PARTITION BY suite ORDER BY first_seen_at, suite_version)
),
-- 2. The benchmarks each version declares, unpacked from its definition JSON.
entries AS (
    SELECT suite_version, e.benchmark, e.version, e."limit" AS item_limit,
           e.task_config_sha256, e.dataset_sha256
    FROM (
        SELECT suite_version,
               unnest(from_json(definition, '[{"benchmark": "VARCHAR", "version": "INTEGER", "limit": "INTEGER",
                                               "task_config_sha256": "VARCHAR", "dataset_sha256": "VARCHAR"}]')) AS e
        FROM suite_versions
    )
),
-- 3. Each version's benchmarks beside the previous version's, matched by benchmark name.
current_entries AS (
    SELECT v.suite_version, e.* EXCLUDE (suite_version)
    FROM versions v JOIN entries e ON e.suite_version = v.suite_version
    WHERE v.previous_version IS NOT NULL
),
previous_entries AS (
    SELECT v.suite_version, e.* EXCLUDE (suite_version)
    FROM versions v JOIN entries e ON e.suite_version = v.previous_version
),
paired AS (
    SELECT coalesce(c.suite_version, p.suite_version) AS suite_version,
           coalesce(c.benchmark, p.benchmark) AS benchmark,
           c.version AS new_version, p.version AS old_version,
           c.item_limit AS new_limit, p.item_limit AS old_limit,
           c.benchmark IS NULL AS removed, p.benchmark IS NULL AS added,
           c.task_config_sha256 IS DISTINCT FROM p.task_config_sha256 AS config_changed,
           c.dataset_sha256 IS DISTINCT FROM p.dataset_sha256 AS data_changed
    FROM current_entries c
    FULL OUTER JOIN previous_entries p USING (suite_version, benchmark)
),
-- 4. One phrase per changed benchmark.
benchmark_changes AS (
    SELECT suite_version, benchmark,
           CASE
               WHEN added THEN benchmark || ' added (v' || new_version || ')'
               WHEN removed THEN benchmark || ' removed'
               ELSE benchmark || ': ' || concat_ws(', ',
                   CASE WHEN new_version <> old_version THEN 'version ' || old_version || ' -> ' || new_version END,
                   CASE WHEN config_changed AND new_version = old_version THEN 'task config changed' END,
                   CASE WHEN data_changed THEN 'dataset changed' END,
                   CASE WHEN new_limit IS DISTINCT FROM old_limit
                        THEN 'items ' || coalesce(old_limit::VARCHAR, 'all') || ' -> ' || coalesce(new_limit::VARCHAR, 'all') END)
           END AS change
    FROM paired
    WHERE added OR removed OR new_version <> old_version OR config_changed OR data_changed
       OR new_limit IS DISTINCT FROM old_limit
),
-- 5. All changes of a version in one line, benchmarks in name order.
version_changes AS (
    SELECT suite_version, string_agg(change, '; ' ORDER BY benchmark) AS benchmark_changes
    FROM benchmark_changes
    GROUP BY suite_version
)
-- 6. The changelog: the first version of a suite is its start; a later one lists its changes.
SELECT v.suite, v.suite_version, v.first_seen_at, v.previous_version,
       CASE
           WHEN v.previous_version IS NULL THEN 'first version'
           ELSE concat_ws('; ', c.benchmark_changes,
                          CASE WHEN v.harness_fingerprint <> v.previous_harness
                               THEN 'harness ' || v.previous_harness || ' -> ' || v.harness_fingerprint END)
       END AS changes
FROM versions v
LEFT JOIN version_changes c USING (suite_version)
ORDER BY v.suite, v.first_seen_at, v.suite_version
