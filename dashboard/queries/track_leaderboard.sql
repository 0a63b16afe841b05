-- One row per model of a track in the current snapshot, ranked models first in display order,
-- with the model's metadata at the ranked revision (NULL where the source did not know it).
SELECT
    l.model_id, l.revision, l.complete, l.rank, l.position, l.average, l.average_stderr, l.ci_low, l.ci_high,
    l.missing_benchmarks, l.evaluated_at, l.parameters, l.on_pareto_frontier,
    m.model_type, m.precision, m.license, m.hub_url
FROM leaderboard AS l
LEFT JOIN models AS m USING (model_id, revision)
WHERE l.suite_version = $suite_version
ORDER BY l.complete DESC, l.position, l.average DESC, l.model_id
