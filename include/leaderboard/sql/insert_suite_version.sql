INSERT INTO suite_versions (suite_version, suite, description, harness_fingerprint, definition, first_seen_at)
VALUES ($suite_version, $suite, $description, $harness_fingerprint, $definition, $first_seen_at)
ON CONFLICT (suite_version) DO NOTHING;
