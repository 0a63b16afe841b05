-- The status history of a submission, appended to, never rewritten.
INSERT INTO submission_events (submission_id, status, reason, occurred_at)
VALUES ($submission_id, $status, $reason, $updated_at);
