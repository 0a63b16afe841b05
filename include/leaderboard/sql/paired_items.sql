-- The per-item scores of two models on the items both answered, at the revisions ranked on the
-- track, in a fixed order. Reads a published snapshot.
WITH a AS (
    SELECT ls.benchmark, s.doc_id, s.score
    FROM leaderboard_scores AS ls JOIN samples AS s USING (result_id)
    WHERE ls.suite_version = $suite_version AND ls.model_id = $model_a
),
b AS (
    SELECT ls.benchmark, s.doc_id, s.score
    FROM leaderboard_scores AS ls JOIN samples AS s USING (result_id)
    WHERE ls.suite_version = $suite_version AND ls.model_id = $model_b
)
SELECT a.benchmark, a.doc_id, a.score AS score_a, b.score AS score_b, sb.random_baseline
FROM a
JOIN b USING (benchmark, doc_id)
JOIN suite_benchmarks AS sb ON sb.suite_version = $suite_version AND sb.benchmark = a.benchmark
ORDER BY a.benchmark, a.doc_id
