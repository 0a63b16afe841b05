-- How many submissions of an organisation were accepted (not rejected) since a time.
SELECT count(*) FROM submissions
WHERE split_part(model_id, '/', 1) = $org AND submission_id <> $submission_id
  AND status <> 'rejected' AND submitted_at >= $since;
