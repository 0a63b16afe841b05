-- Another submission of the same (model, sha, suite version) being evaluated or completed.
SELECT submission_id, status FROM submissions
WHERE model_id = $model_id AND revision = $revision AND suite_version = $suite_version
  AND submission_id <> $submission_id AND status IN ('evaluating', 'completed')
ORDER BY updated_at
LIMIT 1;
