-- Per-item records of a model on one track and revision; a NULL filter matches everything.
-- execution_status/execution_detail are set only for executed (code) benchmarks.
SELECT r.benchmark, s.doc_id, s.verdict, s.score, s.execution_status, s.prompt, s.output, s.extracted, s.target,
       s.execution_detail
FROM samples AS s
JOIN results AS r USING (result_id)
WHERE r.model_id = $model_id AND r.suite_version = $suite_version AND r.revision = $revision
  AND ($verdict IS NULL OR s.verdict = $verdict)
  AND ($benchmark IS NULL OR r.benchmark = $benchmark)
ORDER BY r.benchmark, s.doc_id
