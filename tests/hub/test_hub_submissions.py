"""The submission lifecycle in a real warehouse: every state change is stored and appended to
the history; rate limit and duplicates are refused with their reason."""

from __future__ import annotations

import json

import duckdb
import pytest

from leaderboard.errors import SubmissionRejected
from leaderboard.pipeline import load_results, resolve_submission, run_directory
from leaderboard.submissions import mark_evaluating, register, run_id_for, trigger_of
from tests.unit.builders import make_settings, write_model, write_result

T = "2025-01-01T00:00:0{}+00:00"


@pytest.fixture
def settings(tmp_path):
    settings = make_settings(tmp_path)
    write_model(settings.models_dir, "org/model")
    return settings


def rows(settings, query, params=None):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def events(settings, run_id):
    return rows(settings, "SELECT status, reason FROM submission_events WHERE submission_id = ? ORDER BY occurred_at",
                [run_id])


def submit(settings, run_id, rerun=False, rate_limit=None):
    register(run_id, "org/model", "main", "ci", queued_at=T.format(0), submitted_at=T.format(0), now=T.format(1),
             rate_limit=rate_limit, settings=settings)
    jobs = resolve_submission(run_id, "org/model", "main", "ci", T.format(0), settings)
    mark_evaluating(run_id, now=T.format(2), rerun=rerun, settings=settings)
    return {j["benchmark"]["name"]: j for j in jobs}


def test_run_ids_carry_the_trigger():
    assert run_id_for("webhook", "org/model", "a" * 40, "smoke") == f"webhook__org--model__{'a' * 40}__smoke"
    assert trigger_of(run_id_for("poll", "org/model", "main", "ci")) == "poll"
    cli = run_id_for("cli", "org/model", "main", "ci", unique=True)
    assert trigger_of(cli) == "cli" and cli != run_id_for("cli", "org/model", "main", "ci", unique=True)
    assert trigger_of("manual__2025-01-01T00:00:00+00:00") == "manual"
    assert trigger_of("scheduled__2025") == "manual" and trigger_of("reevaluate__x") == "manual"
    with pytest.raises(ValueError, match="unknown trigger"):
        run_id_for("email", "org/model", "main", "ci")


def test_lifecycle_pending_validating_evaluating_completed(settings):
    run_id = run_id_for("webhook", "org/model", "main", "ci")
    jobs = submit(settings, run_id)
    assert rows(settings, "SELECT status, trigger, revision IS NOT NULL FROM submissions") == [
        ("evaluating", "webhook", True)]
    assert rows(settings, "SELECT model_id, model_type, parameters FROM models") == [("org/model", "pretrained", 6)]
    run_dir = run_directory(settings, run_id)
    write_result(run_dir / "benchmarks" / "gsm8k", jobs["gsm8k"], [1, 0])
    write_result(run_dir / "benchmarks" / "arc_easy", jobs["arc_easy"], [1, 0, 0, 0] * 3)
    assert load_results(run_id, T.format(3), settings)["status"] == "completed"
    assert events(settings, run_id) == [("pending", None), ("validating", None), ("evaluating", None),
                                        ("completed", None)]
    (row,) = rows(settings, "SELECT status, trigger, requested_revision, submitted_at, updated_at, finished_at "
                            "FROM submissions")
    assert row[:3] == ("completed", "webhook", "main"), "the trigger survives the final write"
    assert row[3].isoformat().startswith("2025-01-01T00:00:00") and row[4] == row[5]


def test_failed_evaluation_keeps_its_reason(settings):
    jobs = submit(settings, "run-f")
    out = run_directory(settings, "run-f") / "benchmarks" / "gsm8k"
    out.mkdir(parents=True)
    (out / "failure.json").write_text(json.dumps({"reason": "out of memory (exit 137)"}))
    write_result(run_directory(settings, "run-f") / "benchmarks" / "arc_easy", jobs["arc_easy"], [1] * 12)
    assert load_results("run-f", T.format(3), settings)["status"] == "failed"
    assert events(settings, "run-f")[-1] == ("failed", "gsm8k: out of memory (exit 137)")


def test_duplicate_of_an_evaluating_or_completed_submission_is_rejected(settings):
    submit(settings, "run-1")
    with pytest.raises(SubmissionRejected, match=r"duplicate: org/model@\w{12} on suite ci .* already evaluating "
                                                 r"in submission run-1"):
        submit(settings, "run-2")
    assert load_results("run-2", T.format(3), settings)["status"] == "rejected"
    assert events(settings, "run-2")[-1][0] == "rejected" and "duplicate" in events(settings, "run-2")[-1][1]
    submit(settings, "run-3", rerun=True)  # an explicit re-run is allowed
    assert rows(settings, "SELECT status FROM submissions WHERE submission_id = 'run-3'") == [("evaluating",)]


def test_rate_limit_per_organisation(settings):
    submit(settings, "run-1", rate_limit=(2, 24))
    submit(settings, "run-2", rate_limit=(2, 24), rerun=True)
    with pytest.raises(SubmissionRejected, match=r"rate limit: 'org' already has 2 submissions in the last 24 hours"):
        submit(settings, "run-3", rate_limit=(2, 24))
    assert load_results("run-3", T.format(3), settings)["status"] == "rejected"
    assert events(settings, "run-3") == [("pending", None), ("rejected", rows(
        settings, "SELECT reason FROM submissions WHERE submission_id = 'run-3'")[0][0])]
    # rejected ones do not count, and other organisations are not affected
    write_model(settings.models_dir, "other/model")
    register("run-4", "other/model", "main", "ci", T.format(0), T.format(0), T.format(1), (2, 24), settings)
