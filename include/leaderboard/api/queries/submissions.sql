-- Every published submission, most recently updated first. The route merges these with the live
-- status files, then filters and pages the merged list (a live record may change a status).
SELECT submission_id, model_id, requested_revision, revision, suite, suite_version, status, reason, trigger,
       submitted_at, updated_at, finished_at, benchmarks::VARCHAR AS benchmarks
FROM submissions
ORDER BY coalesce(updated_at, submitted_at) DESC NULLS LAST, submission_id
