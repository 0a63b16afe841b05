-- Replace a batch of results, arriving as the registered relation `incoming_results` with their
-- per-item records in `incoming_samples`. A result without a stderr gets the standard error of
-- the mean of its item scores, as lm-eval computes it: stddev_samp(score) / sqrt(n).
WITH item_stderr AS (
    SELECT result_id, stddev_samp(score) / sqrt(count(*)) AS stderr
    FROM incoming_samples
    GROUP BY result_id
)
INSERT OR REPLACE INTO results
    (result_id, model_id, revision, suite, suite_version, benchmark, benchmark_version,
     primary_metric, score, stderr, n_samples, metrics, evaluated_at, run_id, document)
SELECT
    r.result_id, r.model_id, r.revision, r.suite, r.suite_version, r.benchmark, r.benchmark_version,
    r.primary_metric, r.score, coalesce(r.stderr, i.stderr), r.n_samples, r.metrics, r.evaluated_at,
    r.run_id, r.document
FROM incoming_results AS r
LEFT JOIN item_stderr AS i USING (result_id)
