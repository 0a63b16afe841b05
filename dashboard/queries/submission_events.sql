-- The status history of the submissions of one model ($model_id) or of all ($model_id NULL), oldest first.
SELECT e.submission_id, s.model_id, s.suite, e.status, e.reason, e.occurred_at
FROM submission_events AS e
JOIN submissions AS s USING (submission_id)
WHERE $model_id IS NULL OR s.model_id = $model_id
ORDER BY e.submission_id, e.occurred_at
