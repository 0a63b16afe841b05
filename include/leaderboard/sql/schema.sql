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
    model_type    VARCHAR,      -- pretrained, fine-tuned, chat, merge or adapter
    created_at    TIMESTAMPTZ,  -- the repo's creation and last modification, when the source knows them
    modified_at   TIMESTAMPTZ,
    hub_url       VARCHAR,      -- the model's Hub page, for models that came from the Hub
    PRIMARY KEY (model_id, revision)
);
-- Warehouses created before these columns existed get them (nothing stored is touched).
ALTER TABLE models ADD COLUMN IF NOT EXISTS model_type VARCHAR;
ALTER TABLE models ADD COLUMN IF NOT EXISTS created_at TIMESTAMPTZ;
ALTER TABLE models ADD COLUMN IF NOT EXISTS modified_at TIMESTAMPTZ;
ALTER TABLE models ADD COLUMN IF NOT EXISTS hub_url VARCHAR;

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
    metrics    JSON,
    -- code benchmarks: how the sandbox ended the program (pass, fail, timeout, error), why, and its
    -- truncated output; NULL for benchmarks that are not executed
    execution_status  VARCHAR CHECK (execution_status IN ('pass', 'fail', 'timeout', 'error')),
    execution_detail  VARCHAR
);
ALTER TABLE samples ADD COLUMN IF NOT EXISTS execution_status VARCHAR;
ALTER TABLE samples ADD COLUMN IF NOT EXISTS execution_detail VARCHAR;

-- Every submission (one Airflow run of evaluate_model): its current state. Final states are
-- completed, failed and rejected, with a reason for the last two; finished_at is NULL until then.
CREATE TABLE IF NOT EXISTS submissions (
    submission_id       VARCHAR PRIMARY KEY,  -- the Airflow run id
    model_id            VARCHAR NOT NULL,
    requested_revision  VARCHAR,
    revision            VARCHAR,
    suite               VARCHAR NOT NULL,
    suite_version       VARCHAR,
    status              VARCHAR NOT NULL CHECK (status IN
                            ('pending', 'validating', 'evaluating', 'completed', 'failed', 'rejected')),
    reason              VARCHAR,
    benchmarks          JSON,  -- per benchmark: completed, or failed with its reason
    submitted_at        TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ,
    trigger             VARCHAR,  -- manual (Airflow UI), cli, poll (sense_hub_models) or webhook
    updated_at          TIMESTAMPTZ
);

-- The status history of each submission, appended to, never rewritten.
CREATE TABLE IF NOT EXISTS submission_events (
    submission_id  VARCHAR NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN
                       ('pending', 'validating', 'evaluating', 'completed', 'failed', 'rejected')),
    reason         VARCHAR,
    occurred_at    TIMESTAMPTZ NOT NULL
);
