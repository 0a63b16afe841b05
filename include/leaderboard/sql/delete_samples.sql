-- Samples are replaced together with their result.
DELETE FROM samples WHERE result_id IN (SELECT result_id FROM incoming_results)
