-- The aggregate and rank of a track's current top $k ranked models at every publication.
WITH top AS (
    SELECT model_id
    FROM leaderboard
    WHERE suite_version = $suite_version AND complete
    ORDER BY position
    LIMIT $k
)
SELECT l.published_at, r.model_id, r.rank, r.average
FROM snapshot_log AS l
JOIN snapshot_rows AS r USING (snapshot_id)
JOIN top USING (model_id)
WHERE r.suite_version = $suite_version AND r.complete
ORDER BY l.published_at, l.seq, r.model_id
