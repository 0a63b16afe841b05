"""Immutable snapshots and their history: determinism, as-of, a model over time, diffs, and a
reader that never fails while the writer publishes."""

import json
import subprocess
import sys
import textwrap

import duckdb
import pytest

from leaderboard import history, warehouse
from leaderboard.publish import publish
from leaderboard.ranking import RankingConfig

from builders import make_job, model_info, valid_result

T1, T2, T3 = "2025-02-01T00:00:00+00:00", "2025-02-02T00:00:00+00:00", "2025-02-03T00:00:00+00:00"


def open_warehouse(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config={"python_enable_replacements": False})
    con.execute(warehouse.sql("schema"))
    return con


def build_warehouse(root, catalogue, harness, settings, data):
    """data: {model: {benchmark: item scores}}, loaded through the real validator and upsert."""
    con = open_warehouse(root / "warehouse.duckdb")
    suite = catalogue.suite("ci")
    warehouse.record_suite(con, suite, suite.version(harness), harness, T1)
    load(con, settings, root, data)
    return con


def load(con, settings, root, data, run_id="run-1"):
    for model_id, per in data.items():
        warehouse.record_model(con, model_info(model_id))
        for benchmark, scores in per.items():
            job = make_job(settings, benchmark, model_id=model_id, run_id=run_id)
            job["benchmark"]["expected_samples"] = len(scores)
            out = root / "runs" / run_id / model_id / benchmark
            warehouse.upsert_result(con, valid_result(out, job, scores, 0.03), run_id)


# 100 to 500 items each: enough that the per-benchmark (Wilson) intervals separate c from a and b
DATA = {"org/a": {"arc_easy": [1, 0] * 50, "gsm8k": [1, 0] * 50},
        "org/b": {"arc_easy": [1, 1, 1, 1, 1, 0, 0, 0] * 50, "gsm8k": [1, 0] * 50},
        "org/c": {"arc_easy": ([1] + [0] * 9) * 50, "gsm8k": [0, 0] * 50}}


@pytest.fixture
def con(tmp_path, catalogue, harness, settings):
    con = build_warehouse(tmp_path, catalogue, harness, settings, DATA)
    yield con
    con.close()


def test_two_rebuilds_give_byte_identical_snapshots(tmp_path, catalogue, harness, settings):
    files = []
    for name in ("one", "two"):
        root = tmp_path / name
        con = build_warehouse(root, catalogue, harness, settings, DATA)
        info = publish(con, root / "published" / "leaderboard.duckdb", T1 if name == "one" else T2, RankingConfig())
        con.close()
        files.append((info["snapshot_id"], (root / "published" / "snapshots" / f"{info['snapshot_id']}.parquet")))
    (id1, f1), (id2, f2) = files
    assert id1 == id2 and f1.read_bytes() == f2.read_bytes()
    # the declaration is part of the content: another strategy is another snapshot
    con = open_warehouse(tmp_path / "one" / "warehouse.duckdb")
    other = publish(con, tmp_path / "one" / "published" / "leaderboard.duckdb", T2, RankingConfig("win_rate"))
    con.close()
    assert other["snapshot_id"] != id1


def test_snapshot_file_holds_the_full_table_and_its_declaration(con, tmp_path):
    import pyarrow.parquet as pq
    info = publish(con, tmp_path / "pub" / "leaderboard.duckdb", T1, RankingConfig())
    table = pq.read_table(info["snapshot_file"])
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    assert meta["leaderboard.aggregation"] == "mean" and meta["leaderboard.formula_version"] == "3"
    assert table.column("model_id").to_pylist() == ["org/b", "org/a", "org/c"]
    scores = table.column("scores").to_pylist()[0]
    assert [s["benchmark"] for s in scores] == ["arc_easy", "gsm8k"]
    assert all(s["raw_ci_low"] < s["raw_ci_high"] and s["n_samples"] > 0 for s in scores)  # each with its interval
    assert {"rank", "ci_low", "ci_high", "suite_version", "on_pareto_frontier"} <= set(table.column_names)


def test_history_as_of_model_over_time_and_diff(con, tmp_path, settings):
    path = tmp_path / "pub" / "leaderboard.duckdb"
    s1 = publish(con, path, T1, RankingConfig())["snapshot_id"]
    # c improves past a, d arrives complete, b's result is removed
    load(con, settings, tmp_path, {"org/c": {"arc_easy": [1] * 500, "gsm8k": [1, 1] * 50},
                                   "org/d": {"arc_easy": [1, 0] * 50, "gsm8k": [0, 1] * 50}}, run_id="run-2")
    con.execute("DELETE FROM results WHERE model_id = 'org/b'")
    second = publish(con, path, T2, RankingConfig())
    s2 = second["snapshot_id"]
    assert second["previous_snapshot_id"] == s1 and s2 != s1
    publish(con, path, T3, RankingConfig())  # unchanged content: same snapshot, one more publication

    with history.open_published(path) as reader:
        assert history.last_two(reader) == (s1, s2)
        assert reader.execute("SELECT snapshot_id, previous_snapshot_id FROM publication").fetchone() == (s2, s1)
        assert [tuple(r) for r in reader.execute("SELECT seq, snapshot_id FROM snapshot_log").fetchall()] == [
            (1, s1), (2, s2), (3, s2)]
        assert reader.execute("SELECT snapshot_id, created_at::VARCHAR FROM snapshots ORDER BY created_at").fetchall() == [
            (s1, "2025-02-01 00:00:00+00"), (s2, "2025-02-02 00:00:00+00")]

        assert history.leaderboard_as_of(reader, "2025-01-01T00:00:00+00:00").empty
        early = history.leaderboard_as_of(reader, "2025-02-01T12:00:00+00:00")
        assert early["model_id"].tolist() == ["org/b", "org/a", "org/c"] and set(early["snapshot_id"]) == {s1}
        late = history.leaderboard_as_of(reader, "2025-03-01T00:00:00+00:00")
        assert late["model_id"].tolist() == ["org/c", "org/a", "org/d"] and set(late["snapshot_id"]) == {s2}

        c = history.model_history(reader, "org/c")
        assert c["snapshot_id"].tolist() == [s1, s2, s2]
        assert c["rank"].tolist() == [3, 1, 1] and c["average"].tolist()[1] == pytest.approx(100.0)

        d = {r["model_id"]: r for r in history.diff(reader, s1, s2).to_dict("records")}
        assert {m: r["change"] for m, r in d.items()} == {
            "org/a": "changed", "org/b": "removed", "org/c": "changed", "org/d": "added"}
        assert (d["org/c"]["old_rank"], d["org/c"]["new_rank"], d["org/c"]["rank_change"]) == (3, 1, -2)
        assert d["org/c"]["average_change"] == pytest.approx(100.0 - 0.0)
        assert d["org/a"]["average_change"] == pytest.approx(0.0) and d["org/a"]["rank_change"] == 1
        assert d["org/b"]["new_rank"] is None or d["org/b"]["new_rank"] != d["org/b"]["new_rank"]  # NULL/NaN
        published = reader.execute("SELECT model_id, change FROM snapshot_diff ORDER BY model_id").fetchall()
        assert published == sorted((m, r["change"]) for m, r in d.items())
        assert history.diff(reader, s2, s2)["change"].unique().tolist() == ["unchanged"]


def test_a_failed_publish_leaves_no_history(con, tmp_path, monkeypatch):
    path = tmp_path / "pub" / "leaderboard.duckdb"
    publish(con, path, T1, RankingConfig())
    import leaderboard.publish as module
    real = module.sql

    def broken(name):
        if name == "history_diff":
            return "SELECT * FROM no_such_table"
        return real(name)
    con.execute("UPDATE results SET score = 1.0 WHERE model_id = 'org/a'")
    monkeypatch.setattr(module, "sql", broken)
    with pytest.raises(duckdb.Error):
        publish(con, path, T2, RankingConfig())
    assert con.execute("SELECT count(*) FROM snapshot_log").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM snapshots").fetchone() == (1,)
    assert sorted(p.name for p in path.parent.iterdir()) == ["leaderboard.duckdb", "snapshots"]


READER = textwrap.dedent("""
    import json, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    import os
    errors, reads, ids = [], 0, set()
    while not os.path.exists(stop):
        try:
            with duckdb.connect(path, read_only=True) as con:
                ids.add(con.execute("SELECT snapshot_id FROM publication").fetchone()[0])
                con.execute("SELECT count(*), max(rank) FROM leaderboard").fetchone()
                con.execute("SELECT count(*) FROM snapshot_rows").fetchone()
            reads += 1
        except Exception as exc:
            errors.append(repr(exc))
    print(json.dumps({"errors": errors[:5], "n_errors": len(errors), "reads": reads, "ids": sorted(ids)}))
""")


def test_a_reader_in_a_loop_never_fails_while_50_publishes_run(con, tmp_path):
    path = tmp_path / "pub" / "leaderboard.duckdb"
    publish(con, path, T1, RankingConfig())
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        ids = set()
        for i in range(50):
            con.execute("UPDATE results SET score = ? WHERE model_id = 'org/a' AND benchmark = 'gsm8k'", [i / 50])
            ids.add(publish(con, path, f"2025-03-01T00:{i:02d}:00+00:00", RankingConfig())["snapshot_id"])
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    seen = json.loads(out)
    assert len(ids) == 50
    assert seen["n_errors"] == 0, seen["errors"]
    assert seen["reads"] > 0 and len(seen["ids"]) > 1
