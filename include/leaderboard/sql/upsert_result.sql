-- Replace the result of one (model, revision, benchmark, suite version).
INSERT OR REPLACE INTO results
    (result_id, model_id, revision, suite, suite_version, benchmark, benchmark_version,
     primary_metric, score, stderr, n_samples, metrics, evaluated_at, run_id, document)
VALUES
    ($result_id, $model_id, $revision, $suite, $suite_version, $benchmark, $benchmark_version,
     $primary_metric, $score, $stderr, $n_samples, $metrics, $evaluated_at, $run_id, $document);
