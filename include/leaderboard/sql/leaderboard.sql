-- One row per (track, model): the aggregate with its 95% CI, a tie-aware rank, its tie group and
-- whether it is on the Pareto frontier of score against parameter count.
-- Expects `model_aggregates` (model_aggregates.sql) and `ranked` (ranking.rank_models, by model_idx).
-- average and average_stderr hold the aggregate under the declared strategy (see publication).
SELECT
    a.suite_version,
    a.suite,
    a.model_id,
    a.revision,
    a.n_scored,
    a.scored_benchmarks,
    r.average,
    r.average_stderr,
    a.evaluated_at,
    a.complete,
    a.missing_benchmarks,
    r.ci_low,
    r.ci_high,
    -- LMArena rule, computed by ranking.tie_aware_ranks: 1 + complete models with ci_low > my ci_high
    CASE WHEN a.complete THEN r.rank END AS rank,
    -- plain order by the point estimate, for display only
    CASE WHEN a.complete THEN row_number() OVER (
        PARTITION BY a.suite_version, a.complete ORDER BY r.average DESC, a.model_id
    ) END AS position,
    -- the tie group: the complete models of the track sharing this rank
    CASE WHEN a.complete THEN count(*) OVER (PARTITION BY a.suite_version, a.complete, r.rank) END AS tie_group_size,
    r.mean_normalized,
    a.parameters,
    CASE r.on_frontier WHEN 1 THEN true WHEN 0 THEN false END AS on_pareto_frontier
FROM model_aggregates AS a
JOIN ranked AS r USING (model_idx)
ORDER BY a.suite_version, a.complete DESC, r.average DESC, a.model_id
