-- Model metadata at one revision.
SELECT source, architecture, parameters, precision, license, base_model
FROM models
WHERE model_id = $model_id AND revision = $revision
