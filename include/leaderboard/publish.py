"""Ranking and publishing: the warehouse is turned into a read-only snapshot file for readers.

Readers (dashboard, API, exports) open only the published file. It is built under a temporary
name and swapped in with os.replace, so a reader sees the old file or the new one, never a
half-written one, and never holds a lock the writer needs.

Every publish also writes the ranking as an immutable snapshot, published/snapshots/<id>.parquet,
where the id is the sha256 of the file's bytes: the same inputs (scores, catalogue, ranking
configuration, software versions) give the same bytes and so the same id. The publish time is
not part of it; it goes to the history (snapshot_log), which the published file carries along
with the rows of every snapshot (snapshot_rows) and the diff from the previous one."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from leaderboard.hashing import canonical_json
from leaderboard.ranking import (FORMULA_VERSION, RankingConfig, formula, load_ranking_config, rank_models,
                                 score_interval, stderr_equivalent)
from leaderboard.warehouse import sql, transaction

__all__ = ["FORMULA_VERSION", "publish"]

# Tables copied as they are; the leaderboard tables are computed.
COPIED_TABLES = ("suite_versions", "suite_benchmarks", "models", "results", "samples", "submissions",
                 "submission_events")
HISTORY_TABLES = ("snapshots", "snapshot_log", "snapshot_rows")
SNAPSHOTS_DIR = "snapshots"  # beside the published file
_TEMP_VIEWS = ("scores", "leaderboard", "ranking_weights", "result_intervals")


def _weights(con, config: RankingConfig) -> dict[str, dict[str, float]]:
    rows = con.execute("SELECT suite_version, benchmark FROM suite_benchmarks ORDER BY ALL").fetchall()
    weights: dict[str, dict[str, float]] = {}
    for suite_version, benchmark in rows:
        weights.setdefault(suite_version, {})[benchmark] = config.weight(benchmark)
    return weights


SCORE_FIELDS = ("benchmark", "raw_score", "raw_stderr", "random_baseline", "normalized_score", "normalized_stderr",
                "n_samples", "result_id", "raw_ci_low", "raw_ci_high", "normalized_ci_low", "normalized_ci_high",
                "ci_method")


def _result_intervals(con) -> pa.Table:
    """Every result's published 95% interval and stderr-equivalent (ranking.score_interval), in
    result_id order. ci_method: wilson (binary items) or wilson_widened (other item scores)."""
    stats = con.sql(sql("result_stats")).to_arrow_table()

    def column(name):
        return stats.column(name).to_numpy().astype(float)  # a NULL stderr arrives as NaN: counted as 0
    n, stderr = column("n_samples"), column("stderr")
    binary = column("binary").astype(bool)
    mean = np.where(binary, column("successes") / np.where(n > 0, n, 1.0), column("score"))
    low, high = score_interval(mean, n, stderr, binary)
    return pa.table({
        "result_id": stats.column("result_id").combine_chunks(),
        "ci_method": pa.array(np.where(binary, "wilson", "wilson_widened"), pa.string()),
        "ci_low": pa.array(np.atleast_1d(low), pa.float64()),
        "ci_high": pa.array(np.atleast_1d(high), pa.float64()),
        "stderr_equivalent": pa.array(np.atleast_1d(stderr_equivalent(stderr, low, high)), pa.float64()),
    })


def _rank(con, config: RankingConfig) -> tuple[pa.Table, pa.Table]:
    """The ranked columns by model_idx, and the score rows they came from (ranking_rows.sql)."""
    models = con.execute(
        "SELECT track_idx, complete, coalesce(parameters::DOUBLE, 'NaN'::DOUBLE) AS parameters "
        "FROM model_aggregates ORDER BY model_idx").fetchnumpy()
    rows = con.sql(sql("ranking_rows")).to_arrow_table()

    def column(name):
        return rows.column(name).to_numpy()
    r = rank_models(config, models["track_idx"], models["complete"], models["parameters"],
                    column("model_idx"), column("benchmark_idx"), column("normalized_score"),
                    np.nan_to_num(column("normalized_stderr"), nan=0.0), column("weight"))
    n = len(r.score)
    ranked = pa.table({
        "model_idx": pa.array(np.arange(n), pa.int64()), "average": r.score, "average_stderr": r.score_stderr,
        "ci_low": r.ci_low, "ci_high": r.ci_high, "mean_normalized": r.mean_normalized,
        "rank": pa.array(r.rank, pa.int64()), "on_frontier": pa.array(r.on_frontier, pa.int8()),
    })
    return ranked, rows


def _write_snapshot(con, config: RankingConfig, weights: dict, rows: pa.Table, snapshots_dir: Path) -> tuple[str, Path]:
    """Write the immutable snapshot file: the leaderboard rows, each with its per-benchmark
    scores nested, and the ranking declaration as file metadata. Its id is the hash of its bytes."""
    board = con.sql(sql("snapshot_content")).to_arrow_table()
    n_models = int(rows.column("model_idx").to_numpy().max()) + 1 if rows.num_rows else 0
    offsets = np.r_[0, np.cumsum(np.bincount(rows.column("model_idx").to_numpy(), minlength=n_models))]
    fields = pa.StructArray.from_arrays([rows.column(f).combine_chunks() for f in SCORE_FIELDS], SCORE_FIELDS)
    per_model = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), fields)
    table = board.drop_columns(["model_idx"]).append_column("scores", per_model.take(board.column("model_idx")))
    table = table.combine_chunks().replace_schema_metadata({
        "leaderboard.formula_version": str(FORMULA_VERSION), "leaderboard.aggregation": config.aggregation,
        "leaderboard.weights": canonical_json(weights), "leaderboard.formula": formula(config),
    })
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    sid = hashlib.sha256(data).hexdigest()[:16]
    path = snapshots_dir / f"{sid}.parquet"
    if not path.exists():  # content-addressed: an existing file already holds these bytes
        snapshots_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return sid, path


def _record_history(con, sid: str, published_at: str, config: RankingConfig, weights: dict, file: str) -> dict:
    """Append this publication to the warehouse history. Returns what to undo should the publish fail."""
    previous = con.execute(
        "SELECT snapshot_id FROM snapshot_log WHERE snapshot_id <> ? ORDER BY published_at DESC, seq DESC LIMIT 1",
        [sid]).fetchone()
    with transaction(con):
        new = con.execute("SELECT count(*) = 0 FROM snapshots WHERE snapshot_id = ?", [sid]).fetchone()[0]
        if new:
            con.execute(
                "INSERT INTO snapshots SELECT ?, ?::TIMESTAMPTZ, ?, ?, ?::JSON, ?, "
                "coalesce(list(DISTINCT suite_version ORDER BY suite_version), []), count(*), count(*) FILTER (WHERE complete), ? "
                "FROM leaderboard",
                [sid, published_at, FORMULA_VERSION, config.aggregation, canonical_json(weights), formula(config), file])
            con.execute(sql("record_snapshot"), {"snapshot_id": sid})
        logged = con.execute("SELECT count(*) > 0 FROM snapshot_log WHERE snapshot_id = ? AND published_at = ?::TIMESTAMPTZ",
                             [sid, published_at]).fetchone()[0]
        seq = None
        if not logged:  # a retried publish of the same snapshot at the same time is one publication
            seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM snapshot_log").fetchone()[0]
            con.execute("INSERT INTO snapshot_log VALUES (?, ?::TIMESTAMPTZ, ?)", [seq, published_at, sid])
    return {"previous": previous[0] if previous else None, "new": new, "seq": seq}


def _forget(con, sid: str, recorded: dict) -> None:
    with transaction(con):
        if recorded["seq"] is not None:
            con.execute("DELETE FROM snapshot_log WHERE seq = ?", [recorded["seq"]])
        if recorded["new"]:
            con.execute("DELETE FROM snapshot_rows WHERE snapshot_id = ?", [sid])
            con.execute("DELETE FROM snapshots WHERE snapshot_id = ?", [sid])


def publish(con, published_path: Path, published_at: str, config: RankingConfig | None = None) -> dict:
    """Rank every track, write the immutable snapshot and publish the file readers use.
    `con` is the open warehouse connection; `config` defaults to ranking.yaml."""
    config = config or load_ranking_config()
    published_path.parent.mkdir(parents=True, exist_ok=True)
    snapshots_dir = published_path.parent / SNAPSHOTS_DIR
    con.execute(sql("history_schema"))
    tmp = published_path.with_name(f".{published_path.name}.{uuid.uuid4().hex}.tmp")
    quoted = str(tmp).replace("'", "''")  # ATTACH takes no bound parameters
    con.execute(f"ATTACH '{quoted}' AS snapshot")
    recorded = sid = None
    try:
        con.register("incoming_intervals", _result_intervals(con))
        try:
            con.execute("CREATE TABLE snapshot.result_intervals AS SELECT * FROM incoming_intervals ORDER BY result_id")
        finally:
            con.unregister("incoming_intervals")
        con.execute("CREATE OR REPLACE TEMP VIEW result_intervals AS SELECT * FROM snapshot.result_intervals")
        con.execute(f"CREATE TABLE snapshot.leaderboard_scores AS {sql('leaderboard_scores')}")
        con.execute("CREATE OR REPLACE TEMP VIEW scores AS SELECT * FROM snapshot.leaderboard_scores")
        weights = _weights(con, config)
        con.register("incoming_weights", pa.table({
            "suite_version": [sv for sv, per in weights.items() for _ in per],
            "benchmark": [b for per in weights.values() for b in per],
            "weight": pa.array([w for per in weights.values() for w in per.values()], pa.float64())}))
        try:
            con.execute(f"CREATE TABLE snapshot.ranking_weights AS {sql('ranking_weights')}")
        finally:
            con.unregister("incoming_weights")
        con.execute("CREATE OR REPLACE TEMP VIEW ranking_weights AS SELECT * FROM snapshot.ranking_weights")
        con.execute(f"CREATE OR REPLACE TEMP TABLE model_aggregates AS {sql('model_aggregates')}")
        ranked, rows = _rank(con, config)
        con.register("ranked", ranked)
        try:
            con.execute(f"CREATE TABLE snapshot.leaderboard AS {sql('leaderboard')}")
        finally:
            con.unregister("ranked")
        con.execute("CREATE OR REPLACE TEMP VIEW leaderboard AS SELECT * FROM snapshot.leaderboard")
        con.execute(f"CREATE TABLE snapshot.tie_groups AS {sql('tie_groups')}")
        for table in COPIED_TABLES:
            con.execute(f"CREATE TABLE snapshot.{table} AS SELECT * FROM main.{table}")

        sid, path = _write_snapshot(con, config, weights, rows, snapshots_dir)
        file = f"{SNAPSHOTS_DIR}/{path.name}"
        recorded = _record_history(con, sid, published_at, config, weights, file)
        for table in HISTORY_TABLES:
            con.execute(f"CREATE TABLE snapshot.{table} AS SELECT * FROM main.{table}")
        con.execute(f"CREATE TABLE snapshot.snapshot_diff AS {sql('history_diff')}",
                    {"old": recorded["previous"], "new": sid})
        con.execute(
            "CREATE TABLE snapshot.publication AS SELECT ? AS snapshot_id, ?::TIMESTAMPTZ AS published_at, "
            "? AS formula_version, ? AS formula, ? AS aggregation, ?::JSON AS weights, "
            "?::VARCHAR AS previous_snapshot_id, ? AS snapshot_file",
            [sid, published_at, FORMULA_VERSION, formula(config), config.aggregation, canonical_json(weights),
             recorded["previous"], file])
        counts = dict(con.execute(
            "SELECT suite_version, count(*) FILTER (WHERE complete) FROM leaderboard GROUP BY ALL ORDER BY ALL"
        ).fetchall())
    except BaseException:
        _drop_temporaries(con)
        con.execute("DETACH snapshot")
        tmp.unlink(missing_ok=True)
        if recorded is not None:
            _forget(con, sid, recorded)
        raise
    _drop_temporaries(con)
    con.execute("DETACH snapshot")
    os.replace(tmp, published_path)
    return {"snapshot_id": sid, "published_at": published_at, "path": str(published_path),
            "snapshot_file": str(path), "previous_snapshot_id": recorded["previous"],
            "aggregation": config.aggregation, "ranked_models": counts}


def _drop_temporaries(con) -> None:
    for view in _TEMP_VIEWS:
        con.execute(f"DROP VIEW IF EXISTS {view}")
    con.execute("DROP TABLE IF EXISTS model_aggregates")
