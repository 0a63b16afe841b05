-- Metadata of every evaluated revision of one model.
SELECT revision, source, architecture, parameters, precision, license, base_model, model_type,
       created_at, modified_at, hub_url
FROM models
WHERE model_id = $model_id
ORDER BY modified_at DESC NULLS LAST, revision
