-- Per-benchmark scores of a track in an earlier snapshot ($file: its parquet), one row per (model, benchmark),
-- with the item count n (every snapshot file has it).
WITH per_model AS (
    SELECT model_id, unnest(scores) AS s
    FROM read_parquet($file)
    WHERE suite_version = $suite_version
)
SELECT model_id, s.benchmark, s.raw_score, s.raw_stderr, s.normalized_score, s.normalized_stderr, s.n_samples
FROM per_model
