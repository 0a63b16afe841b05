-- Models to re-evaluate on a suite's current track: every model with a result on an older
-- version of the suite (or on the one version asked for) and none on the current version.
-- A model is re-evaluated at the latest revision it was evaluated at on those tracks.
-- Runs against the published snapshot. Parameters: $suite, $current_version, $from_version (NULL: any older).

-- 1. Results on the old tracks of the suite.
WITH old_results AS (
    SELECT model_id, revision, suite_version, evaluated_at
    FROM results
    WHERE suite = $suite
      AND suite_version <> $current_version
      AND ($from_version IS NULL OR suite_version = $from_version)
),
-- 2. Models that already have a result on the current track.
current_models AS (
    SELECT DISTINCT model_id FROM results WHERE suite_version = $current_version
),
-- 3. The latest evaluated revision of each model still missing from the current track.
latest AS (
    SELECT model_id, arg_max(revision, evaluated_at) AS revision,
           arg_max(suite_version, evaluated_at) AS from_version
    FROM old_results
    WHERE model_id NOT IN (SELECT model_id FROM current_models)
    GROUP BY model_id
)
SELECT model_id, revision, from_version FROM latest ORDER BY model_id
