-- The leaderboard as it was published at $at: the rows of the last snapshot published at or
-- before it. $suite_version NULL: every track.
WITH current AS (
    SELECT snapshot_id, published_at
    FROM snapshot_log
    WHERE published_at <= $at
    ORDER BY published_at DESC, seq DESC
    LIMIT 1
)
SELECT c.published_at, r.*
FROM current AS c
JOIN snapshot_rows AS r USING (snapshot_id)
WHERE $suite_version IS NULL OR r.suite_version = $suite_version
ORDER BY r.suite_version, r.complete DESC, r.position, r.average DESC, r.model_id
