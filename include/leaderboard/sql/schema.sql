-- The warehouse: the single source of truth, written only by the pooled Airflow tasks.
-- Readers never open it; they read the published snapshot (see publish.sql).

-- One row per suite version (a leaderboard track): derived from the suite's content.
CREATE TABLE IF NOT EXISTS suite_versions (
    suite_version       VARCHAR PRIMARY KEY,
    suite               VARCHAR NOT NULL,
    description         VARCHAR,
    harness_fingerprint VARCHAR NOT NULL,
    definition          JSON NOT NULL,
    first_seen_at       TIMESTAMPTZ NOT NULL
);

-- The benchmarks of each suite version, with what ranking needs to normalise them.
CREATE TABLE IF NOT EXISTS suite_benchmarks (
    suite_version       VARCHAR NOT NULL,
    benchmark           VARCHAR NOT NULL,
    benchmark_version   INTEGER NOT NULL,
    title               VARCHAR NOT NULL,
    family              VARCHAR NOT NULL,
    primary_metric      VARCHAR NOT NULL,
    random_baseline     DOUBLE NOT NULL,
    item_limit          INTEGER,
    task_config_sha256  VARCHAR NOT NULL,
    dataset_sha256      VARCHAR NOT NULL,
    PRIMARY KEY (suite_version, benchmark)
);

-- Model metadata at a pinned revision.
CREATE TABLE IF NOT EXISTS models (
    model_id      VARCHAR NOT NULL,
    revision      VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    architecture  VARCHAR,
    parameters    BIGINT,
    precision     VARCHAR,
    license       VARCHAR,
    base_model    VARCHAR,
    PRIMARY KEY (model_id, revision)
);

-- One score per (model, revision, benchmark, suite version); a rerun replaces it.
CREATE TABLE IF NOT EXISTS results (
    result_id           VARCHAR PRIMARY KEY,  -- hash of (model_id, revision, benchmark, suite_version)
    model_id            VARCHAR NOT NULL,
    revision            VARCHAR NOT NULL,
    suite               VARCHAR NOT NULL,
    suite_version       VARCHAR NOT NULL,
    benchmark           VARCHAR NOT NULL,
    benchmark_version   INTEGER NOT NULL,
    primary_metric      VARCHAR NOT NULL,
    score               DOUBLE NOT NULL,
    stderr              DOUBLE,
    n_samples           INTEGER NOT NULL,
    metrics             JSON NOT NULL,
    evaluated_at        TIMESTAMPTZ NOT NULL,
    run_id              VARCHAR NOT NULL,
    document            JSON NOT NULL  -- the full results document: the reproducibility manifest
);

-- Per-item records of each result. Replaced together with their result.
CREATE TABLE IF NOT EXISTS samples (
    result_id  VARCHAR NOT NULL,
    doc_id     INTEGER NOT NULL,
    prompt     VARCHAR NOT NULL,
    output     VARCHAR NOT NULL,
    extracted  VARCHAR,
    target     VARCHAR NOT NULL,
    verdict    VARCHAR NOT NULL CHECK (verdict IN ('correct', 'incorrect')),
    score      DOUBLE NOT NULL,
    metrics    JSON
);

-- Every submission (one Airflow run of evaluate_model) and where it ended.
CREATE TABLE IF NOT EXISTS submissions (
    submission_id       VARCHAR PRIMARY KEY,  -- the Airflow run id
    model_id            VARCHAR NOT NULL,
    requested_revision  VARCHAR,
    revision            VARCHAR,
    suite               VARCHAR NOT NULL,
    suite_version       VARCHAR,
    status              VARCHAR NOT NULL CHECK (status IN ('completed', 'failed', 'rejected')),
    reason              VARCHAR,
    benchmarks          JSON,  -- per benchmark: completed, or failed with its reason
    submitted_at        TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ NOT NULL
);
