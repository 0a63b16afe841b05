-- Model metadata at one revision.
SELECT source, architecture, parameters, precision, license, base_model, model_type, hub_url, created_at, modified_at
FROM models
WHERE model_id = $model_id AND revision = $revision
