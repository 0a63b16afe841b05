-- Per result: what its published 95% interval needs (ranking.score_interval). Binary: every
-- stored item score is 0 or 1 and there are n_samples of them; successes then counts the 1s
-- exactly. A result whose items are not all stored is treated as non-binary (the rule for
-- non-binary scores is never narrower). In result_id order, so the table built from it is too.
WITH items AS (
    SELECT result_id, count(*) AS n_items, bool_and(score = 0.0 OR score = 1.0) AS all_binary,
           count(*) FILTER (WHERE score = 1.0) AS successes
    FROM samples
    GROUP BY result_id
)
SELECT
    r.result_id,
    r.score,
    r.stderr,
    r.n_samples,
    coalesce(i.all_binary AND i.n_items = r.n_samples, false) AS binary,
    coalesce(i.successes, 0)::DOUBLE AS successes
FROM results AS r
LEFT JOIN items AS i USING (result_id)
ORDER BY r.result_id
