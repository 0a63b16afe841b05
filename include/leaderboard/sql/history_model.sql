-- One model's rank and score at every publication. $suite_version NULL: every track.
SELECT
    l.published_at,
    l.snapshot_id,
    r.suite_version,
    r.revision,
    r.complete,
    r.rank,
    r.position,
    r.average,
    r.ci_low,
    r.ci_high
FROM snapshot_log AS l
JOIN snapshot_rows AS r USING (snapshot_id)
WHERE r.model_id = $model_id AND ($suite_version IS NULL OR r.suite_version = $suite_version)
ORDER BY l.published_at, l.seq, r.suite_version
