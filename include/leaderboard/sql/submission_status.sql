-- One submission's current status.
SELECT status FROM submissions WHERE submission_id = $submission_id
