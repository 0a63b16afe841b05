INSERT OR REPLACE INTO models (model_id, revision, source, architecture, parameters, precision, license, base_model)
VALUES ($model_id, $revision, $source, $architecture, $parameters, $precision, $license, $base_model);
