-- When and how the snapshot was built.
SELECT snapshot_id, published_at, formula_version, formula
FROM publication
