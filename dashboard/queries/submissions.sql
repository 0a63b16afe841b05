-- Every submission, most recent first.
SELECT submission_id, model_id, suite, status, reason, submitted_at, finished_at
FROM submissions
ORDER BY finished_at DESC, submission_id
