import json

import duckdb
import pytest

from leaderboard.errors import SubmissionRejected
from leaderboard.pipeline import load_results, resolve_submission, run_directory

from builders import write_model, write_result

SUBMITTED_AT = "2025-01-01T00:00:00+00:00"
FINISHED_AT = "2025-01-01T01:00:00+00:00"


def rows(settings, query):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(query).fetchall()


def submission_row(settings):
    (row,) = rows(settings, "SELECT status, reason, revision, suite_version, benchmarks FROM submissions")
    status, reason, revision, suite_version, benchmarks = row
    return {"status": status, "reason": reason, "revision": revision, "suite_version": suite_version,
            "benchmarks": json.loads(benchmarks)}


def test_rejected_submission_is_recorded_with_its_reason(settings):
    write_model(settings.models_dir, "org/model")
    with pytest.raises(SubmissionRejected) as rejected:
        resolve_submission("run-1", "org/nope", "main", "ci", SUBMITTED_AT, settings)
    reason = json.loads((run_directory(settings, "run-1") / "rejection.json").read_text())["reason"]
    assert reason == str(rejected.value) and "org/model" in reason

    assert load_results("run-1", FINISHED_AT, settings) == {"status": "rejected", "reason": reason}
    assert submission_row(settings) == {"status": "rejected", "reason": reason, "revision": None,
                                        "suite_version": None, "benchmarks": {}}
    assert rows(settings, "SELECT count(*) FROM results") == [(0,)]


@pytest.fixture
def jobs(settings):
    write_model(settings.models_dir, "org/model")
    jobs = resolve_submission("run-1", "org/model", "main", "ci", SUBMITTED_AT, settings)
    assert [j["benchmark"]["name"] for j in jobs] == ["gsm8k", "arc_easy"]
    return {j["benchmark"]["name"]: j for j in jobs}


def bench_dir(settings, name):
    return run_directory(settings, "run-1") / "benchmarks" / name


def test_one_failed_benchmark_fails_the_submission_but_keeps_the_other(settings, jobs):
    out = bench_dir(settings, "gsm8k")
    out.mkdir(parents=True)
    (out / "failure.json").write_text(json.dumps({"reason": "timeout: the harness ran longer than 30 s"}))
    write_result(bench_dir(settings, "arc_easy"), jobs["arc_easy"], [1, 0, 1, 1] * 3)  # the ci suite's 12 items

    outcome = load_results("run-1", FINISHED_AT, settings)
    assert outcome["status"] == "failed" and outcome["loaded"] == 1
    assert outcome["reason"] == "gsm8k: timeout: the harness ran longer than 30 s"
    row = submission_row(settings)
    assert row["status"] == "failed" and row["reason"] == outcome["reason"]
    assert row["revision"] == jobs["arc_easy"]["model"]["revision"]
    assert row["benchmarks"] == {"arc_easy": {"status": "completed"},
                                 "gsm8k": {"status": "failed", "reason": "timeout: the harness ran longer than 30 s"}}
    assert rows(settings, "SELECT benchmark, score, run_id FROM results") == [("arc_easy", 0.75, "run-1")]
    assert rows(settings, "SELECT count(*) FROM samples") == [(12,)]
    assert rows(settings, "SELECT model_id, parameters FROM models") == [("org/model", 6)]


def test_benchmark_that_never_ran_and_invalid_output_are_failures(settings, jobs):
    write_result(bench_dir(settings, "arc_easy"), jobs["arc_easy"], [1, 1] * 6,
                 edit=lambda d: d["timings"].update(finished_at="not a time"))
    outcome = load_results("run-1", FINISHED_AT, settings)
    assert outcome["status"] == "failed" and outcome["loaded"] == 0
    assert "gsm8k: not run" in outcome["reason"]
    assert "arc_easy: no valid result: results.json at timings/finished_at" in outcome["reason"]
    assert rows(settings, "SELECT count(*) FROM results") == [(0,)]


def test_complete_run_then_rerun_of_the_same_run_id(settings, jobs):
    write_result(bench_dir(settings, "gsm8k"), jobs["gsm8k"], [1, 0])
    write_result(bench_dir(settings, "arc_easy"), jobs["arc_easy"], [1, 0, 0, 0] * 3)
    assert load_results("run-1", FINISHED_AT, settings) == {"status": "completed", "reason": None, "loaded": 2}
    assert load_results("run-1", FINISHED_AT, settings)["status"] == "completed"  # the task retried
    assert rows(settings, "SELECT count(*) FROM results") == [(2,)]
    assert rows(settings, "SELECT count(*) FROM samples") == [(14,)]
    assert rows(settings, "SELECT status FROM submissions") == [("completed",)]
