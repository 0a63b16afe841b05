-- One model's submissions, newest first, each with its status history, oldest event first.
SELECT
    s.submission_id, s.requested_revision, s.revision, s.suite, s.suite_version, s.status, s.reason,
    s.trigger, s.submitted_at, s.updated_at, s.finished_at,
    coalesce((SELECT list({'status': e.status, 'reason': e.reason, 'occurred_at': e.occurred_at}
                          ORDER BY e.occurred_at, e.status)
              FROM submission_events AS e WHERE e.submission_id = s.submission_id), []) AS events
FROM submissions AS s
WHERE s.model_id = $model_id
ORDER BY coalesce(s.updated_at, s.submitted_at) DESC NULLS LAST, s.submission_id
