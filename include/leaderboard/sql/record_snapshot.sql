-- Record a new snapshot's rows in the history. Expects the relation `leaderboard`.
INSERT INTO snapshot_rows
SELECT $snapshot_id, suite_version, suite, model_id, revision, complete, rank, position,
       average, average_stderr, ci_low, ci_high
FROM leaderboard
ORDER BY suite_version, complete DESC, average DESC, model_id
