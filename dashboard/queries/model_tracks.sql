-- The (track, revision) pairs a model was evaluated on, most recent first.
SELECT suite, suite_version, revision, max(evaluated_at) AS evaluated_at
FROM results
WHERE model_id = $model_id
GROUP BY ALL
ORDER BY evaluated_at DESC, suite, suite_version, revision
