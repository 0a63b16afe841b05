INSERT OR REPLACE INTO models (model_id, revision, source, architecture, parameters, precision, license, base_model,
                               model_type, created_at, modified_at, hub_url)
VALUES ($model_id, $revision, $source, $architecture, $parameters, $precision, $license, $base_model,
        $model_type, $created_at, $modified_at, $hub_url);
