-- One page of a track's leaderboard, filtered and sorted. Every value is a bound parameter:
-- the sort column arrives as a name ($sort, checked by the API against LEADERBOARD_SORTS) and
-- picks a typed sort key below, so no column name is ever spliced into the query.
-- $as_of NULL: the current ranking (table leaderboard); else the rows that snapshot published
-- (snapshot_rows: no per-benchmark columns). Model metadata comes from the published models.
-- Empty lists mean "no filter"; $limit NULL returns every row (exports).
-- Filtering and sorting run on narrow rows; the wide columns are joined to the page only.
WITH board AS (
    SELECT model_id, revision, complete, rank, position, average, average_stderr, ci_low, ci_high, n_scored,
           evaluated_at, tie_group_size, mean_normalized, on_pareto_frontier
    FROM leaderboard
    WHERE $as_of IS NULL AND suite_version = $suite_version
    UNION ALL BY NAME
    SELECT model_id, revision, complete, rank, position, average, average_stderr, ci_low, ci_high
    FROM snapshot_rows
    WHERE snapshot_id = $as_of AND suite_version = $suite_version
),
filtered AS (
    SELECT b.*, m.parameters, m.model_type, m.precision, m.license, m.architecture, m.base_model
    FROM board AS b
    LEFT JOIN models AS m USING (model_id, revision)
    WHERE ($show_incomplete OR b.complete)
      AND (len($types::VARCHAR[]) = 0 OR list_contains($types::VARCHAR[], m.model_type))
      AND (len($precisions::VARCHAR[]) = 0 OR list_contains($precisions::VARCHAR[], m.precision))
      AND (len($licenses::VARCHAR[]) = 0 OR list_contains($licenses::VARCHAR[], m.license))
      AND ($min_params::DOUBLE IS NULL OR m.parameters >= $min_params::DOUBLE)
      AND ($max_params::DOUBLE IS NULL OR m.parameters <= $max_params::DOUBLE)
      -- search: every term must occur in the model id, case-insensitively
      AND len(list_filter($terms::VARCHAR[], lambda t: NOT contains(lower(b.model_id), t))) = 0
),
keyed AS (
    SELECT model_id, revision, complete, position, average,
        CASE $sort
            WHEN 'rank' THEN rank WHEN 'position' THEN position WHEN 'average' THEN average
            WHEN 'average_stderr' THEN average_stderr WHEN 'ci_low' THEN ci_low WHEN 'ci_high' THEN ci_high
            WHEN 'n_scored' THEN n_scored WHEN 'tie_group_size' THEN tie_group_size
            WHEN 'mean_normalized' THEN mean_normalized WHEN 'parameters' THEN parameters
            WHEN 'evaluated_at' THEN epoch(evaluated_at) WHEN 'complete' THEN complete::INTEGER
            WHEN 'on_pareto_frontier' THEN on_pareto_frontier::INTEGER
        END::DOUBLE AS num_key,
        CASE $sort
            WHEN 'model_id' THEN model_id WHEN 'revision' THEN revision WHEN 'model_type' THEN model_type
            WHEN 'precision' THEN precision WHEN 'license' THEN license WHEN 'architecture' THEN architecture
            WHEN 'base_model' THEN base_model
        END AS text_key,
        count(*) OVER () AS total
    FROM filtered
),
page AS (
    SELECT model_id, revision, total, row_number() OVER () AS ordinal
    FROM (
        SELECT * FROM keyed
        ORDER BY
            CASE WHEN $descending THEN num_key END DESC NULLS LAST,
            CASE WHEN NOT $descending THEN num_key END ASC NULLS LAST,
            CASE WHEN $descending THEN text_key END DESC NULLS LAST,
            CASE WHEN NOT $descending THEN text_key END ASC NULLS LAST,
            complete DESC, position NULLS LAST, average DESC, model_id
        LIMIT $limit OFFSET $offset
    )
)
SELECT b.suite_version, b.suite, p.model_id, p.revision, b.complete, b.rank, b.position, b.average,
       b.average_stderr, b.ci_low, b.ci_high, b.n_scored, b.scored_benchmarks, b.missing_benchmarks,
       b.evaluated_at, b.tie_group_size, b.mean_normalized, b.on_pareto_frontier, m.parameters, m.model_type,
       m.precision, m.license, m.architecture, m.base_model, m.hub_url, p.total
FROM page AS p
JOIN (
    SELECT suite_version, suite, model_id, revision, complete, rank, position, average, average_stderr, ci_low,
           ci_high, n_scored, scored_benchmarks, missing_benchmarks, evaluated_at, tie_group_size,
           mean_normalized, on_pareto_frontier
    FROM leaderboard
    WHERE $as_of IS NULL AND suite_version = $suite_version
    UNION ALL BY NAME
    SELECT suite_version, suite, model_id, revision, complete, rank, position, average, average_stderr, ci_low,
           ci_high
    FROM snapshot_rows
    WHERE snapshot_id = $as_of AND suite_version = $suite_version
) AS b USING (model_id, revision)
LEFT JOIN models AS m USING (model_id, revision)
ORDER BY p.ordinal
