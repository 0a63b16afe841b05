-- Every track (suite version), newest first within its suite.
SELECT suite, suite_version, first_seen_at
FROM suite_versions
ORDER BY suite, first_seen_at DESC, suite_version DESC
