-- Whether the snapshot knows the model at all.
SELECT EXISTS (SELECT 1 FROM models WHERE model_id = $model_id)
    OR EXISTS (SELECT 1 FROM results WHERE model_id = $model_id)
    OR EXISTS (SELECT 1 FROM submissions WHERE model_id = $model_id)
