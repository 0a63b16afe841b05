-- A submission's current state. Fields a step does not know (NULL) keep what an earlier step stored.
INSERT INTO submissions
    (submission_id, model_id, requested_revision, revision, suite, suite_version, status, reason,
     benchmarks, submitted_at, finished_at, trigger, updated_at)
VALUES
    ($submission_id, $model_id, $requested_revision, $revision, $suite, $suite_version, $status,
     $reason, $benchmarks, $submitted_at, $finished_at, $trigger, $updated_at)
ON CONFLICT (submission_id) DO UPDATE SET
    model_id = EXCLUDED.model_id,
    requested_revision = COALESCE(EXCLUDED.requested_revision, requested_revision),
    revision = COALESCE(EXCLUDED.revision, revision),
    suite = EXCLUDED.suite,
    suite_version = COALESCE(EXCLUDED.suite_version, suite_version),
    status = EXCLUDED.status,
    reason = EXCLUDED.reason,
    benchmarks = COALESCE(EXCLUDED.benchmarks, benchmarks),
    submitted_at = COALESCE(EXCLUDED.submitted_at, submitted_at),
    finished_at = EXCLUDED.finished_at,
    trigger = COALESCE(EXCLUDED.trigger, trigger),
    updated_at = EXCLUDED.updated_at;
