-- Every model with at least one result.
SELECT DISTINCT model_id
FROM results
ORDER BY model_id
