-- Every publication, newest first, with the snapshot it made current and how it was computed.
SELECT l.seq, l.published_at, l.snapshot_id, s.file, s.formula_version, s.formula, s.aggregation, s.suite_versions
FROM snapshot_log AS l
JOIN snapshots AS s USING (snapshot_id)
ORDER BY l.published_at DESC, l.seq DESC
