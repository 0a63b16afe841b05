-- A submission as record_failure sees it: its state, who it is, and whether it changed after
-- the run failed (a cleared run that started again).
SELECT status, reason, model_id, suite, updated_at > CAST($failed_at AS TIMESTAMPTZ) AS changed_since
FROM submissions
WHERE submission_id = $submission_id
