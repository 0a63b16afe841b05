-- Every distinct snapshot, newest first, with the times it was published.
SELECT
    s.snapshot_id, s.created_at, s.formula_version, s.aggregation, s.formula, s.suite_versions, s.n_models,
    s.n_ranked, s.file,
    (SELECT list(l.published_at ORDER BY l.published_at, l.seq) FROM snapshot_log AS l
     WHERE l.snapshot_id = s.snapshot_id) AS published_at,
    count(*) OVER () AS total
FROM snapshots AS s
ORDER BY s.created_at DESC, s.snapshot_id
LIMIT $limit OFFSET $offset
