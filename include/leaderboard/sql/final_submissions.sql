-- Submissions in a final state, with that state: whose live status files a publish may drop.
SELECT submission_id, status
FROM submissions
WHERE status IN ('completed', 'failed', 'rejected')
