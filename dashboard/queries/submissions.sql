-- Every submission, most recently updated first.
SELECT submission_id, model_id, suite, requested_revision, revision, status, reason, trigger,
       submitted_at, coalesce(updated_at, finished_at, submitted_at) AS updated_at, finished_at
FROM submissions
ORDER BY coalesce(updated_at, finished_at, submitted_at) DESC NULLS LAST, submission_id
