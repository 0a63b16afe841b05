-- Per-item records of one model, one page; a NULL filter matches everything.
SELECT r.suite_version, r.revision, r.benchmark, s.doc_id, s.verdict, s.score, s.prompt, s.output,
       s.extracted, s.target, s.execution_status, s.execution_detail, count(*) OVER () AS total
FROM samples AS s
JOIN results AS r USING (result_id)
WHERE r.model_id = $model_id
  AND ($suite_version::VARCHAR IS NULL OR r.suite_version = $suite_version::VARCHAR)
  AND ($revision::VARCHAR IS NULL OR r.revision = $revision::VARCHAR)
  AND ($benchmark::VARCHAR IS NULL OR r.benchmark = $benchmark::VARCHAR)
  AND ($verdict::VARCHAR IS NULL OR s.verdict = $verdict::VARCHAR)
ORDER BY r.suite_version, r.revision, r.benchmark, s.doc_id
LIMIT $limit OFFSET $offset
