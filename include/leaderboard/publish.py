"""Ranking and publishing: the warehouse is turned into a read-only snapshot file for readers.

Readers (dashboard, API, exports) open only the published file. It is built under a temporary
name and swapped in with os.replace, so a reader sees the old file or the new one, never a
half-written one, and never holds a lock the writer needs."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from leaderboard.hashing import sha256_json
from leaderboard.warehouse import sql

FORMULA_VERSION = 1
FORMULA = (
    "normalized = max(0, (raw - random_baseline) / (1 - random_baseline)) * 100 per benchmark; "
    "average = mean of normalized over the suite's benchmarks; "
    "average_stderr = sqrt(sum(normalized_stderr^2)) / k; CI95 = average ± 1.96 * average_stderr, clipped to [0, 100]; "
    "rank = 1 + number of complete models whose CI low is above this model's CI high"
)
# Tables copied as they are; the leaderboard tables are computed.
COPIED_TABLES = ("suite_versions", "suite_benchmarks", "models", "results", "samples", "submissions")


def snapshot_id(con) -> str:
    """Content hash of what the snapshot ranks: same inputs, same id."""
    rows = con.execute(
        "SELECT suite_version, model_id, revision, benchmark, raw_score, raw_stderr, evaluated_at::VARCHAR "
        "FROM snapshot.leaderboard_scores ORDER BY ALL").fetchall()
    return sha256_json({"formula_version": FORMULA_VERSION, "scores": rows})[:16]


def publish(con, published_path: Path, published_at: str) -> dict:
    """Rank every track and publish the snapshot. `con` is the open warehouse connection."""
    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.with_name(f".{published_path.name}.{uuid.uuid4().hex}.tmp")
    quoted = str(tmp).replace("'", "''")  # ATTACH takes no bound parameters
    con.execute(f"ATTACH '{quoted}' AS snapshot")
    try:
        con.execute(f"CREATE TABLE snapshot.leaderboard_scores AS {sql('leaderboard_scores')}")
        con.execute("CREATE OR REPLACE TEMP VIEW scores AS SELECT * FROM snapshot.leaderboard_scores")
        con.execute(f"CREATE TABLE snapshot.leaderboard AS {sql('leaderboard')}")
        for table in COPIED_TABLES:
            con.execute(f"CREATE TABLE snapshot.{table} AS SELECT * FROM main.{table}")
        sid = snapshot_id(con)
        con.execute(
            "CREATE TABLE snapshot.publication AS SELECT ? AS snapshot_id, ?::TIMESTAMPTZ AS published_at, "
            "? AS formula_version, ? AS formula",
            [sid, published_at, FORMULA_VERSION, FORMULA])
        counts = dict(con.execute(
            "SELECT suite_version, count(*) FILTER (WHERE complete) FROM snapshot.leaderboard GROUP BY ALL").fetchall())
    except BaseException:
        con.execute("DROP VIEW IF EXISTS scores")
        con.execute("DETACH snapshot")
        tmp.unlink(missing_ok=True)
        raise
    con.execute("DROP VIEW IF EXISTS scores")
    con.execute("DETACH snapshot")
    os.replace(tmp, published_path)
    return {"snapshot_id": sid, "published_at": published_at, "path": str(published_path), "ranked_models": counts}
