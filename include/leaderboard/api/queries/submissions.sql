-- The submission queue, most recently updated first; a NULL filter matches everything.
SELECT submission_id, model_id, requested_revision, revision, suite, suite_version, status, reason, trigger,
       submitted_at, updated_at, finished_at, count(*) OVER () AS total
FROM submissions
WHERE ($status::VARCHAR IS NULL OR status = $status::VARCHAR)
  AND ($model_id::VARCHAR IS NULL OR model_id = $model_id::VARCHAR)
ORDER BY coalesce(updated_at, submitted_at) DESC NULLS LAST, submission_id
LIMIT $limit OFFSET $offset
