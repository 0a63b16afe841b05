-- What changed from snapshot $old to snapshot $new: one row per (track, model) in either.
-- change: added, removed, changed (revision, completeness, rank or score) or unchanged.
WITH old AS (SELECT * FROM snapshot_rows WHERE snapshot_id = $old),
new AS (SELECT * FROM snapshot_rows WHERE snapshot_id = $new)
SELECT
    coalesce(n.suite_version, o.suite_version) AS suite_version,
    coalesce(n.model_id, o.model_id) AS model_id,
    CASE
        WHEN o.model_id IS NULL THEN 'added'
        WHEN n.model_id IS NULL THEN 'removed'
        WHEN o.revision IS DISTINCT FROM n.revision OR o.complete IS DISTINCT FROM n.complete
          OR o.rank IS DISTINCT FROM n.rank OR o.average IS DISTINCT FROM n.average THEN 'changed'
        ELSE 'unchanged'
    END AS change,
    o.revision AS old_revision,
    n.revision AS new_revision,
    o.complete AS old_complete,
    n.complete AS new_complete,
    o.rank AS old_rank,
    n.rank AS new_rank,
    n.rank - o.rank AS rank_change,  -- negative: moved up
    o.average AS old_average,
    n.average AS new_average,
    n.average - o.average AS average_change
FROM old AS o
FULL OUTER JOIN new AS n ON o.suite_version = n.suite_version AND o.model_id = n.model_id
ORDER BY suite_version, change, coalesce(n.position, o.position), model_id
