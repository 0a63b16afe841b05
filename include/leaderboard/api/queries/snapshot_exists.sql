SELECT count(*) > 0 FROM snapshots WHERE snapshot_id = $snapshot_id
