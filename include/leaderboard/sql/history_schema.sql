-- Snapshot history, kept in the warehouse and copied into every published file.
-- Each snapshot is also written, immutably, to published/snapshots/<snapshot_id>.parquet.

-- One row per distinct snapshot (id = content hash of its parquet file).
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id      VARCHAR PRIMARY KEY,
    created_at       TIMESTAMPTZ NOT NULL,  -- the published_at of its first publication
    formula_version  INTEGER NOT NULL,
    aggregation      VARCHAR NOT NULL,
    weights          JSON NOT NULL,         -- {suite_version: {benchmark: weight}}
    formula          VARCHAR NOT NULL,
    suite_versions   VARCHAR[] NOT NULL,
    n_models         BIGINT NOT NULL,
    n_ranked         BIGINT NOT NULL,
    file             VARCHAR NOT NULL       -- relative to the published folder
);

-- Every publication, in order: which snapshot was current from published_at on.
CREATE TABLE IF NOT EXISTS snapshot_log (
    seq           BIGINT PRIMARY KEY,
    published_at  TIMESTAMPTZ NOT NULL,
    snapshot_id   VARCHAR NOT NULL
);

-- The leaderboard rows of each snapshot (the full rows live in its parquet file).
CREATE TABLE IF NOT EXISTS snapshot_rows (
    snapshot_id     VARCHAR NOT NULL,
    suite_version   VARCHAR NOT NULL,
    suite           VARCHAR NOT NULL,
    model_id        VARCHAR NOT NULL,
    revision        VARCHAR NOT NULL,
    complete        BOOLEAN NOT NULL,
    rank            BIGINT,
    position        BIGINT,
    average         DOUBLE NOT NULL,
    average_stderr  DOUBLE NOT NULL,
    ci_low          DOUBLE NOT NULL,
    ci_high         DOUBLE NOT NULL
);
