INSERT OR REPLACE INTO submissions
    (submission_id, model_id, requested_revision, revision, suite, suite_version, status, reason,
     benchmarks, submitted_at, finished_at)
VALUES
    ($submission_id, $model_id, $requested_revision, $revision, $suite, $suite_version, $status,
     $reason, $benchmarks, $submitted_at, $finished_at);
