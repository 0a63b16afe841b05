-- Samples arrive as the registered relation `incoming_samples`.
INSERT INTO samples (result_id, doc_id, prompt, output, extracted, target, verdict, score, metrics,
                     execution_status, execution_detail)
SELECT result_id, doc_id, prompt, output, extracted, target, verdict, score, metrics,
       execution_status, execution_detail
FROM incoming_samples
