-- Samples arrive as the registered relation `incoming_samples`.
INSERT INTO samples (result_id, doc_id, prompt, output, extracted, target, verdict, score, metrics)
SELECT result_id, doc_id, prompt, output, extracted, target, verdict, score, metrics
FROM incoming_samples
