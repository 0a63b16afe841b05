import math

import duckdb
import pytest

from leaderboard import warehouse
from leaderboard.publish import publish
from leaderboard.ranking import score_interval, stderr_equivalent, wilson

from builders import FINISHED_AT, make_job, model_info, valid_result

PUBLISHED_AT = "2025-02-01T00:00:00+00:00"


@pytest.fixture
def con(tmp_path):
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        yield con


@pytest.fixture
def ci(catalogue, harness, con):
    """The ci suite (gsm8k baseline 0, arc_easy baseline 0.25), recorded in the warehouse."""
    suite = catalogue.suite("ci")
    version = suite.version(harness)
    warehouse.record_suite(con, suite, version, harness, PUBLISHED_AT)
    return version


@pytest.fixture
def load(con, settings, tmp_path):
    """load(model, benchmark, scores, stderr) validates a harness output and upserts it."""
    def load(model_id, benchmark, scores, stderr, revision="rev-1", run_id="run-1", finished_at=FINISHED_AT):
        job = make_job(settings, benchmark, model_id=model_id, revision=revision, run_id=run_id)
        job["benchmark"]["expected_samples"] = len(scores)  # fixtures use small, hand-computed item sets
        out = tmp_path / "runs" / run_id / model_id / benchmark
        warehouse.record_model(con, model_info(model_id, revision))
        return warehouse.upsert_result(con, valid_result(out, job, scores, stderr, finished_at), run_id)
    return load


def test_rerun_replaces_the_result_and_its_samples(con, ci, load):
    rid = load("org/a", "arc_easy", [1, 0, 1], 0.1, run_id="run-1")
    assert load("org/a", "arc_easy", [0, 0], 0.2, run_id="run-2") == rid
    assert con.execute("SELECT count(*), any_value(score), any_value(n_samples), any_value(run_id) FROM results"
                       ).fetchone() == (1, 0.0, 2, "run-2")
    assert con.execute("SELECT doc_id, score FROM samples WHERE result_id = ? ORDER BY doc_id", [rid]
                       ).fetchall() == [(0, 0.0), (1, 0.0)]
    assert con.execute("SELECT count(*) FROM samples").fetchone() == (2,)


def test_other_revisions_and_benchmarks_are_separate_results(con, ci, load):
    keys = {load("org/a", "arc_easy", [1], 0.1), load("org/a", "arc_easy", [1], 0.1, revision="rev-2"),
            load("org/a", "gsm8k", [1], 0.1), load("org/b", "arc_easy", [1], 0.1)}
    assert len(keys) == 4
    assert con.execute("SELECT count(*) FROM results").fetchone() == (4,)


def published(path, query, params=()):
    with duckdb.connect(str(path), read_only=True) as reader:
        return reader.execute(query, params).fetchall()


def test_normalisation_and_clipping(con, ci, load, tmp_path):
    # 300 to 1000 items: the harness stderrs given here exceed the Wilson intervals' stderr-equivalents
    load("org/a", "arc_easy", [1, 0] * 150, 0.03)  # raw 0.5 above a 0.25 baseline
    load("org/c", "arc_easy", ([1] + [0] * 9) * 100, 0.03)  # raw 0.1, below the baseline
    load("org/a", "gsm8k", [1, 0] * 150, 0.04)  # baseline 0
    path = tmp_path / "published" / "leaderboard.duckdb"
    publish(con, path, PUBLISHED_AT)
    rows = {(m, b): (n, se) for m, b, n, se in published(
        path, "SELECT model_id, benchmark, normalized_score, normalized_stderr FROM leaderboard_scores")}
    assert rows[("org/a", "arc_easy")] == pytest.approx((100 / 3, 4.0))
    assert rows[("org/c", "arc_easy")] == pytest.approx((0.0, 4.0))
    assert rows[("org/a", "gsm8k")] == pytest.approx((50.0, 4.0))


def test_each_score_is_published_with_its_interval_and_n(con, ci, load, tmp_path):
    load("org/a", "arc_easy", [0, 0, 0], 0.0)  # constant: the harness says stderr 0
    load("org/a", "gsm8k", [1] * 8, 0.0)
    load("org/b", "arc_easy", [1], None)  # a single item: no stderr at all
    load("org/b", "gsm8k", [1, 0, 1, 1], 0.2)
    path = tmp_path / "published" / "leaderboard.duckdb"
    publish(con, path, PUBLISHED_AT)
    rows = {(r[0], r[1]): r[2:] for r in published(path, """
        SELECT model_id, benchmark, raw_score, raw_ci_low, raw_ci_high, normalized_score, normalized_ci_low,
               normalized_ci_high, normalized_stderr, n_samples, ci_method
        FROM leaderboard_scores""")}
    for (k, n, se, baseline, key) in ((0, 3, 0.0, 0.25, ("org/a", "arc_easy")), (8, 8, 0.0, 0.0, ("org/a", "gsm8k")),
                                      (1, 1, 0.0, 0.25, ("org/b", "arc_easy")), (3, 4, 0.2, 0.0, ("org/b", "gsm8k"))):
        raw, low, high, norm, norm_low, norm_high, norm_se, n_samples, method = rows[key]
        assert (raw, n_samples, method) == (k / n, n, "wilson")
        assert (low, high) == pytest.approx(wilson(k, n))
        assert high - low > 0.1 and low <= raw <= high  # never zero-width, always around the score
        assert norm_low == pytest.approx(max(0.0, (low - baseline) / (1 - baseline)) * 100)
        assert norm_high == pytest.approx(max(0.0, (high - baseline) / (1 - baseline)) * 100)
        assert norm_low <= norm <= norm_high
        assert norm_se == pytest.approx(stderr_equivalent(se, low, high) / (1 - baseline) * 100)
    assert rows[("org/b", "gsm8k")][-3] == pytest.approx(20.0)  # the harness's 0.2 is wider than Wilson's
    averages = dict(published(path, "SELECT model_id, ci_high - ci_low FROM leaderboard"))
    assert averages["org/a"] > 10 and averages["org/b"] > 10  # no zero-width aggregate either

    # the snapshot file nests the same intervals per model
    snapshot = path.parent / "snapshots" / f"{published(path, 'SELECT snapshot_id FROM publication')[0][0]}.parquet"
    nested = published(path, f"""
        SELECT s.benchmark, s.raw_ci_low, s.raw_ci_high, s.normalized_ci_low, s.normalized_ci_high, s.n_samples
        FROM (SELECT unnest(scores) AS s FROM read_parquet('{snapshot}') WHERE model_id = 'org/a')
        ORDER BY s.benchmark""")
    assert nested[0][0] == "arc_easy" and nested[0][1:3] == pytest.approx(wilson(0, 3)) and nested[0][5] == 3


def test_report_prints_each_score_with_its_interval_and_n(con, ci, load, tmp_path, monkeypatch, capsys):
    from leaderboard import report
    load("org/a", "arc_easy", [0, 0, 0], 0.0)
    load("org/a", "gsm8k", [1, 0, 1, 1], 0.2)
    path = tmp_path / "published" / "leaderboard.duckdb"
    publish(con, path, PUBLISHED_AT)
    monkeypatch.setattr("sys.argv", ["report", str(path), "--suite", "ci"])
    report.main()
    out = capsys.readouterr().out
    assert "arc_easy       0.000 [0.00, 0.56] n=3" in out  # 0 of 3: Wilson, not a point
    low, high = wilson(3, 4)
    assert f"gsm8k          0.750 [{low:.2f}, {high:.2f}] n=4" in out
    assert report.format_score(0.46, 0.391, 0.53, 200) == "0.460 [0.39, 0.53] n=200"


def test_non_binary_item_scores_get_the_widened_interval(con, ci, tmp_path):
    """pass@k-style item scores (fractions) and a result whose items were not stored."""
    import pyarrow as pa
    results = pa.Table.from_pylist([
        {"result_id": rid, "model_id": "org/m", "revision": "r", "suite": "ci", "suite_version": ci,
         "benchmark": bench, "benchmark_version": 1, "primary_metric": "m", "score": score, "stderr": stderr,
         "n_samples": 4, "metrics": "{}", "evaluated_at": FINISHED_AT, "run_id": "bulk", "document": "{}"}
        for rid, bench, score, stderr in (("frac", "gsm8k", 0.5, None), ("bare", "arc_easy", 0.75, 0.01))],
        schema=warehouse._RESULTS_SCHEMA)
    samples = pa.Table.from_pylist([
        {"result_id": "frac", "doc_id": d, "prompt": "p", "output": "o", "extracted": None, "target": "t",
         "verdict": "incorrect", "score": 0.5, "metrics": "{}"} for d in range(4)], schema=warehouse._SAMPLES_SCHEMA)
    warehouse.upsert_results(con, results, samples)
    path = tmp_path / "published" / "leaderboard.duckdb"
    publish(con, path, PUBLISHED_AT)
    rows = {r[0]: r[1:] for r in published(
        path, "SELECT result_id, ci_method, ci_low, ci_high, stderr_equivalent FROM result_intervals")}
    # every item 0.5: stderr 0, yet the interval is Wilson's at the mean, not a point
    assert rows["frac"][0] == "wilson_widened"
    assert rows["frac"][1:3] == pytest.approx(score_interval(0.5, 4, 0.0, False)) and rows["frac"][2] - rows["frac"][1] > 0.5
    assert rows["frac"][3] == pytest.approx((rows["frac"][2] - rows["frac"][1]) / 3.92)
    assert rows["bare"][0] == "wilson_widened"  # no stored items: the rule that is never narrower
    assert rows["bare"][1:3] == pytest.approx(score_interval(0.75, 4, 0.01, False))


@pytest.fixture
def ranked(con, ci, load, tmp_path):
    """Hand-computed: normalized (arc_easy, gsm8k) and their stderrs, per model. With 300 to 2400
    items the given stderrs exceed the Wilson intervals' stderr-equivalents, except c's gsm8k:
    0 of 300 with stderr 0 counts with Wilson's, z²/(300 + z²) / 3.92 = 0.003252 (0.3252 normalized).

    a: (33.33 ± 4, 50 ± 4)      → average 41.67 ± 2.83, CI [36.12, 47.21]
    b: (50 ± 4, 50 ± 4)         → average 50.00 ± 2.83, CI [44.46, 55.54]  overlaps a: both rank 1
    c: (0 ± 4, 0 ± 0.3252)      → average  0.00 ± 2.01, CI [0, 3.93]       below both: rank 3
    d: arc_easy only            → incomplete, no rank
    """
    load("org/a", "arc_easy", [1, 0] * 150, 0.03)
    load("org/a", "gsm8k", [1, 0] * 150, 0.04)
    load("org/b", "arc_easy", [1, 1, 1, 1, 1, 0, 0, 0] * 300, 0.03)  # 0.625
    load("org/b", "gsm8k", [1, 0] * 150, 0.04)
    load("org/c", "arc_easy", ([1] + [0] * 9) * 100, 0.03)
    load("org/c", "gsm8k", [0, 0] * 150, 0.0)
    load("org/d", "arc_easy", [1, 1], 0.01)
    path = tmp_path / "published" / "leaderboard.duckdb"
    info = publish(con, path, PUBLISHED_AT)
    rows = published(path, "SELECT model_id, average, average_stderr, ci_low, ci_high, rank, complete, "
                           "missing_benchmarks FROM leaderboard WHERE suite_version = ?", [ci])
    cols = ("average", "average_stderr", "ci_low", "ci_high", "rank", "complete", "missing")
    return info, {r[0]: dict(zip(cols, r[1:])) for r in rows}


def test_average_stderr_and_ci(ranked):
    _, rows = ranked
    se = math.sqrt(4.0 ** 2 + 4.0 ** 2) / 2
    assert rows["org/a"]["average"] == pytest.approx((100 / 3 + 50) / 2)
    assert rows["org/a"]["average_stderr"] == pytest.approx(se)
    assert rows["org/a"]["ci_low"] == pytest.approx((100 / 3 + 50) / 2 - 1.96 * se)
    assert rows["org/a"]["ci_high"] == pytest.approx((100 / 3 + 50) / 2 + 1.96 * se)
    assert rows["org/b"]["average"] == pytest.approx(50.0)
    assert rows["org/c"]["average"] == pytest.approx(0.0)
    c_gsm = 1.96 ** 2 / (300 + 1.96 ** 2) / 3.92 * 100  # 0 of 300, stderr 0: Wilson's stderr-equivalent
    assert rows["org/c"]["average_stderr"] == pytest.approx(math.sqrt(4 ** 2 + c_gsm ** 2) / 2)
    assert rows["org/c"]["ci_high"] == pytest.approx(1.96 * math.sqrt(4 ** 2 + c_gsm ** 2) / 2)


def test_tie_aware_rank(ranked):
    info, rows = ranked
    assert {m: r["rank"] for m, r in rows.items()} == {"org/a": 1, "org/b": 1, "org/c": 3, "org/d": None}
    assert list(info["ranked_models"].values()) == [3]


def test_incomplete_model_is_listed_without_rank(ranked):
    _, rows = ranked
    assert rows["org/d"]["complete"] is False and rows["org/d"]["rank"] is None
    assert rows["org/d"]["missing"] == ["gsm8k"]
    assert rows["org/a"]["complete"] is True and rows["org/a"]["missing"] == []


def test_model_is_ranked_at_its_latest_complete_revision(con, ci, load, tmp_path):
    load("org/a", "arc_easy", [1, 1], 0.01, revision="old", finished_at="2025-01-01T00:00:00+00:00")
    load("org/a", "gsm8k", [1, 1], 0.01, revision="old", finished_at="2025-01-01T00:00:00+00:00")
    load("org/a", "arc_easy", [1, 0], 0.01, revision="new", finished_at="2025-01-02T00:00:00+00:00")
    path = tmp_path / "published.duckdb"
    publish(con, path, PUBLISHED_AT)
    # the newer revision is still incomplete: the complete older one keeps the model ranked
    assert published(path, "SELECT revision, complete, missing_benchmarks FROM leaderboard") == [("old", True, [])]
    load("org/a", "gsm8k", [0, 0], 0.01, revision="new", finished_at="2025-01-03T00:00:00+00:00")
    publish(con, path, PUBLISHED_AT)
    assert published(path, "SELECT revision, complete, missing_benchmarks FROM leaderboard") == [("new", True, [])]


def test_a_model_with_no_complete_revision_is_listed_incomplete(con, ci, load, tmp_path):
    load("org/a", "arc_easy", [1, 0], 0.01, revision="new")
    path = tmp_path / "published.duckdb"
    publish(con, path, PUBLISHED_AT)
    assert published(path, "SELECT revision, complete, missing_benchmarks, rank FROM leaderboard") == [
        ("new", False, ["gsm8k"], None)]


def test_publishing_twice_gives_the_same_snapshot_id(con, ci, load, tmp_path):
    load("org/a", "arc_easy", [1, 0], 0.03)
    path = tmp_path / "published" / "leaderboard.duckdb"
    first = publish(con, path, PUBLISHED_AT)
    second = publish(con, path, "2025-03-01T00:00:00+00:00")
    assert first["snapshot_id"] == second["snapshot_id"]
    assert published(path, "SELECT snapshot_id, published_at::VARCHAR FROM publication")[0][0] == first["snapshot_id"]

    load("org/a", "arc_easy", [1, 1], 0.03, run_id="run-2")  # a new score is a new snapshot
    assert publish(con, path, PUBLISHED_AT)["snapshot_id"] != first["snapshot_id"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["leaderboard.duckdb", "snapshots"]  # no temp files left
    assert sorted(p.name for p in (path.parent / "snapshots").iterdir()) == sorted(
        f"{sid}.parquet" for sid in {first["snapshot_id"], publish(con, path, PUBLISHED_AT)["snapshot_id"]})


def test_published_file_is_readable_while_the_warehouse_is_open(con, ci, load, tmp_path):
    load("org/a", "arc_easy", [1, 0], 0.03)
    path = tmp_path / "published" / "leaderboard.duckdb"
    publish(con, path, PUBLISHED_AT)
    # `con` (the writer) is still open here.
    tables = {t for (t,) in published(path, "SELECT table_name FROM information_schema.tables")}
    assert {"leaderboard", "leaderboard_scores", "publication", "results", "samples", "models",
            "submissions", "suite_versions", "suite_benchmarks"} <= tables
    assert published(path, "SELECT count(*) FROM samples") == [(2,)]
    with duckdb.connect(str(path), read_only=True) as reader:
        with pytest.raises(duckdb.Error):
            reader.execute("DELETE FROM results")
        publish(con, path, PUBLISHED_AT)  # a reader holding the old file doesn't block the writer
        assert reader.execute("SELECT count(*) FROM results").fetchone() == (1,)


def test_a_result_without_stderr_gets_the_stderr_of_its_items(con, ci, load):
    load("org/a", "arc_easy", [1, 0, 1, 1], None)  # mean 0.75, stddev_samp 0.5, n 4
    load("org/a", "gsm8k", [1, 0], 0.2)  # a reported stderr is kept
    assert dict(con.execute("SELECT benchmark, stderr FROM results").fetchall()) == pytest.approx(
        {"arc_easy": 0.25, "gsm8k": 0.2})


def test_a_batch_of_results_is_loaded_in_one_transaction(con, ci):
    import pyarrow as pa
    results = pa.Table.from_pylist([
        {"result_id": f"r{i}", "model_id": f"org/m{i}", "revision": "r", "suite": "ci", "suite_version": ci,
         "benchmark": "gsm8k", "benchmark_version": 1, "primary_metric": "exact_match,strict-match",
         "score": 0.5, "stderr": None, "n_samples": 2, "metrics": "{}", "evaluated_at": FINISHED_AT,
         "run_id": "bulk", "document": "{}"} for i in range(3)], schema=warehouse._RESULTS_SCHEMA)
    samples = pa.Table.from_pylist([
        {"result_id": f"r{i}", "doc_id": d, "prompt": "p", "output": "o", "extracted": None, "target": "t",
         "verdict": "correct" if d == 0 else "incorrect", "score": float(d == 0), "metrics": "{}"}
        for i in range(3) for d in range(2)], schema=warehouse._SAMPLES_SCHEMA)
    warehouse.upsert_results(con, results, samples)
    assert con.execute("SELECT count(*), min(stderr), max(stderr) FROM results").fetchone() == pytest.approx(
        (3, 0.5, 0.5))  # stddev_samp([1, 0]) / sqrt(2)
    bad = samples.set_column(6, "verdict", pa.array(["maybe"] * 6))
    with pytest.raises(Exception):
        warehouse.upsert_results(con, results, bad)  # the CHECK fails: nothing of the batch changes
    assert con.execute("SELECT count(*) FROM samples").fetchone() == (6,)
