"""No run left behind: a run that ended failed without load_results's final write gets its
submission marked failed (submissions.fail_unfinished), at once in the live status file, in the
warehouse as soon as it is free, or from the marker the next pooled writer reconciles."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from leaderboard import live, warehouse
from leaderboard.pipeline import publish_leaderboard, run_directory
from leaderboard.submissions import (FAILED_MARKER, fail_unfinished, failure_reason, note_task_error,
                                     reconcile_failed_runs, task_errors)
from tests.helpers import REPO, query

RUN = "manual__2025-01-01T00:00:00+00:00"
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def submit(settings, status: str, reason: str | None = None, run_id: str = RUN, updated_at: str = at(1)) -> None:
    """A submission as the lifecycle tasks leave it: request.json, the warehouse row, the live file."""
    request = {"model_id": "org/model", "requested_revision": "main", "suite": "ci", "submitted_at": at(0),
               "trigger": "manual"}
    path = run_directory(settings, run_id) / "request.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(request))
    row = {"submission_id": run_id, "model_id": "org/model", "requested_revision": "main", "suite": "ci",
           "submitted_at": at(0), "trigger": "manual", "revision": None, "suite_version": None,
           "status": status, "reason": reason, "finished_at": updated_at if status in ("completed", "failed",
                                                                                       "rejected") else None,
           "updated_at": updated_at}
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.record_submission(con, row)
    live.write_submission(settings.published_dir, row)


def stored(settings, run_id: str = RUN) -> tuple:
    return query(settings.warehouse_path, "SELECT status, reason FROM submissions WHERE submission_id = ?",
                 [run_id])[0]


def events(settings, run_id: str = RUN) -> list[str]:
    return [s for (s,) in query(settings.warehouse_path, "SELECT status FROM submission_events "
                                "WHERE submission_id = ? ORDER BY occurred_at", [run_id])]


def live_record(settings, run_id: str = RUN) -> dict:
    return json.loads((live.submission_dir(settings.published_dir, run_id) / live.SUBMISSION_FILE).read_text())


def marker(settings, run_id: str = RUN):
    return run_directory(settings, run_id) / FAILED_MARKER


@pytest.fixture
def hold_warehouse(settings):
    """Another process holding the warehouse file for `seconds`, as a pooled task does."""
    holders = []

    def hold(seconds: float) -> subprocess.Popen:
        code = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                "time.sleep(float(sys.argv[2])); con.close()")
        holder = subprocess.Popen([sys.executable, "-c", code, str(settings.warehouse_path), str(seconds)],
                                  stdout=subprocess.PIPE, text=True)
        holders.append(holder)
        assert holder.stdout.readline().strip() == "held"
        return holder

    yield hold
    for holder in holders:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("status", ["completed", "failed", "rejected"])
def test_a_submission_that_already_ended_is_left_as_it_is(settings, status):
    submit(settings, status, reason=None if status == "completed" else "its own reason")
    before = live_record(settings)
    assert fail_unfinished(RUN, "the run timed out after 60 s before its results loaded", at(5), settings) is False
    assert stored(settings) == (status, None if status == "completed" else "its own reason")
    assert events(settings) == [status]
    assert live_record(settings) == before
    assert not marker(settings).exists()


def test_the_warehouse_wins_when_only_the_live_file_is_behind(settings):
    submit(settings, "completed")
    live.write_submission(settings.published_dir, {"submission_id": RUN, "status": "evaluating", "updated_at": at(1)})
    assert fail_unfinished(RUN, "task load_results failed: boom", at(5), settings) is False
    assert stored(settings) == ("completed", None) and events(settings) == ["completed"]
    assert live_record(settings)["status"] == "completed" and live_record(settings)["reason"] is None


def test_a_submission_published_final_and_pruned_from_live_is_left_as_it_is(settings):
    submit(settings, "completed")
    publish_leaderboard(published_at=at(2), settings=settings)  # prunes its live folder
    assert not live.submission_dir(settings.published_dir, RUN).exists()
    assert fail_unfinished(RUN, "task publish_leaderboard failed", at(5), settings) is False
    assert not live.submission_dir(settings.published_dir, RUN).exists()
    assert stored(settings) == ("completed", None)


@pytest.mark.parametrize("status", ["pending", "validating", "evaluating"])
def test_an_unfinished_submission_is_marked_failed_with_the_reason(settings, status):
    submit(settings, status)
    reason = "the run was marked failed by a user while benchmark arc_easy was running"
    assert fail_unfinished(RUN, reason, at(5), settings) is True
    assert stored(settings) == ("failed", reason)
    assert events(settings) == [status, "failed"]
    (finished,) = query(settings.warehouse_path, "SELECT finished_at FROM submissions")[0]
    assert finished == T0 + timedelta(minutes=5)
    record = live_record(settings)
    assert (record["status"], record["reason"], record["finished_at"]) == ("failed", reason, at(5))
    assert record["model_id"] == "org/model"  # what the lifecycle wrote is kept
    assert not marker(settings).exists()


def test_a_run_that_never_registered_has_nothing_to_mark(settings):
    assert fail_unfinished("manual__never", "the run timed out", at(5), settings) is False
    assert not settings.warehouse_path.exists()
    assert not live.submission_dir(settings.published_dir, "manual__never").exists()


def test_registered_in_files_only_is_recorded_from_its_request(settings):
    """register_submission was stopped between request.json and its warehouse write."""
    submit(settings, "pending")
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute("DELETE FROM submissions")
        con.execute("DELETE FROM submission_events")
    assert fail_unfinished(RUN, "the run was marked failed by a user while task register_submission was running",
                           at(5), settings) is True
    assert query(settings.warehouse_path, "SELECT model_id, suite, trigger, status FROM submissions") == [
        ("org/model", "ci", "manual", "failed")]


def test_a_locked_warehouse_is_retried_until_it_is_free(settings, hold_warehouse):
    submit(settings, "evaluating")
    hold_warehouse(1.5)
    started = time.monotonic()
    assert fail_unfinished(RUN, "the run timed out", at(5), settings, lock_wait_s=20, lock_retry_s=0.1) is True
    assert 1.0 < time.monotonic() - started < 15
    assert stored(settings) == ("failed", "the run timed out")
    assert not marker(settings).exists()


def test_a_warehouse_locked_too_long_leaves_a_marker_and_live_says_failed_at_once(settings, hold_warehouse):
    submit(settings, "evaluating")
    holder = hold_warehouse(60)
    reason = "the run was marked failed by a user while benchmark gsm8k was running"
    started = time.monotonic()
    assert fail_unfinished(RUN, reason, at(5), settings, lock_wait_s=1.0, lock_retry_s=0.2) is True
    assert 0.8 < time.monotonic() - started < 10  # bounded
    assert json.loads(marker(settings).read_text()) == {"submission_id": RUN, "reason": reason, "failed_at": at(5)}
    assert (live_record(settings)["status"], live_record(settings)["reason"]) == ("failed", reason)
    holder.kill()
    holder.wait()
    assert stored(settings) == ("evaluating", None)  # until the next writer

    # the next pooled writer, publish_leaderboard, records it and publishes it
    publish_leaderboard(published_at=at(6), settings=settings)
    assert stored(settings) == ("failed", reason)
    assert events(settings) == ["evaluating", "failed"]
    assert not marker(settings).exists()
    assert query(settings.published_path, "SELECT status, reason FROM submissions") == [("failed", reason)]
    assert not live.submission_dir(settings.published_dir, RUN).exists()  # published final: pruned


def test_reconcile_skips_markers_of_submissions_that_ended_or_started_again(settings):
    submit(settings, "evaluating", run_id="run-a")
    submit(settings, "completed", run_id="run-b")
    submit(settings, "validating", run_id="run-c", updated_at=at(10))  # cleared and started again after at(5)
    for run_id in ("run-a", "run-b", "run-c"):
        marker(settings, run_id).write_text(json.dumps({"submission_id": run_id, "reason": "timed out",
                                                       "failed_at": at(5)}))
    marker(settings, "run-d").parent.mkdir(parents=True)
    marker(settings, "run-d").write_text("{not json")
    with warehouse.connect(settings.warehouse_path) as con:
        assert reconcile_failed_runs(con, settings) == ["run-a"]
    assert stored(settings, "run-a") == ("failed", "timed out")
    assert stored(settings, "run-b") == ("completed", None)
    assert stored(settings, "run-c") == ("validating", None)
    assert not list(settings.runs_dir.glob(f"*/{FAILED_MARKER}"))
    with warehouse.connect(settings.warehouse_path) as con:
        assert reconcile_failed_runs(con, settings) == []


# --- the reason ---------------------------------------------------------------------------------

def ti(task_id: str, state: str | None, map_index: int = -1, rendered: str | None = None, started=True, ended=True):
    return {"task_id": task_id, "map_index": map_index, "rendered_map_index": rendered, "state": state,
            "start_date": T0 if started else None, "end_date": T0 if ended else None}


def test_reason_for_a_run_marked_failed_by_a_user():
    msg = "Dag Run's state was manually set to `failed`."
    stopped = [ti("run_benchmark", "failed", 1, "arc_easy", ended=False)]
    assert failure_reason(msg, [], killed=stopped) == (
        "the run was marked failed by a user while benchmark arc_easy was running")
    two = stopped + [ti("run_benchmark", "failed", 0, "gsm8k")]
    assert failure_reason(msg, [], killed=two) == (
        "the run was marked failed by a user while benchmark arc_easy and benchmark gsm8k were running")
    assert failure_reason(msg, [], killed=[ti("load_results", "failed")]) == (
        "the run was marked failed by a user while task load_results was running")
    assert failure_reason(msg, [], killed=[]) == "the run was marked failed by a user before its results loaded"
    # a running task has no rendered map index yet: its benchmark is found from the map index
    for rendered in (None, "1"):  # Airflow's TaskInstance.rendered_map_index falls back to the index
        unrendered = [ti("run_benchmark", "failed", 1, rendered, ended=False)]
        assert failure_reason(msg, [], killed=unrendered, benchmarks=["gsm8k", "arc_easy"]) == (
            "the run was marked failed by a user while benchmark arc_easy was running")


def test_reason_for_a_run_that_timed_out():
    tis = [ti("mark_evaluating", "success"), ti("run_benchmark", "success", 0, "gsm8k"),
           ti("run_benchmark", "skipped", 1, "arc_easy", ended=False),  # stopped by the scheduler
           ti("load_results", "skipped", started=False, ended=False)]
    assert failure_reason("timed_out", tis, timeout_s=21600.0) == (
        "the run timed out after 21600 s before its results loaded (while benchmark arc_easy was running)")
    assert failure_reason("timed_out", [], timeout_s=60) == "the run timed out after 60 s before its results loaded"


def test_reason_for_a_failed_task_names_it_and_its_error(settings):
    note_task_error(RUN, "load_results", -1, RuntimeError("the catalogue changed"), settings)
    note_task_error(RUN, "run_benchmark", 1, "x" * 2000, settings)
    errors = task_errors(RUN, settings)
    assert errors[("load_results", -1)] == "RuntimeError: the catalogue changed"
    assert len(errors[("run_benchmark", 1)]) == 500
    tis = [ti("run_benchmark", "success", 0, "gsm8k"), ti("load_results", "failed")]
    assert failure_reason("task_failure", tis, errors=errors) == (
        "task load_results failed: RuntimeError: the catalogue changed")
    assert failure_reason("task_failure", [ti("publish_leaderboard", "failed")]) == "task publish_leaderboard failed"
    assert failure_reason("all_tasks_deadlocked", []) == (
        "the run ended failed (all_tasks_deadlocked) before its results loaded")


# --- the plugin ---------------------------------------------------------------------------------

@pytest.fixture
def plugin(monkeypatch, settings):
    spec = importlib.util.spec_from_file_location("run_failure_listener_under_test",
                                                  REPO / "plugins" / "run_failure_listener.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("LEADERBOARD_HOME", str(settings.home))
    monkeypatch.setenv("LEADERBOARD_RUN_TIMEOUT_S", "60")
    return module


class FakeRun:
    dag = None

    def __init__(self, run_id: str, dag_id: str = "evaluate_model"):
        self.run_id, self.dag_id = run_id, dag_id


class FakeTI:
    def __init__(self, task_id, state, map_index=-1, rendered=None, run_id=RUN, dag_id="evaluate_model"):
        self.task_id, self.state, self.map_index, self.rendered_map_index = task_id, state, map_index, rendered
        self.run_id, self.dag_id, self.start_date, self.end_date = run_id, dag_id, T0, None


def test_the_listener_marks_a_run_failed_by_a_user_with_the_benchmark_it_stopped(plugin, settings, monkeypatch):
    from leaderboard.settings import load_settings

    submit(load_settings(), "evaluating")
    jobs = [{"benchmark": {"name": "gsm8k"}}, {"benchmark": {"name": "arc_easy"}}]
    (run_directory(load_settings(), RUN) / "submission.json").write_text(json.dumps({"jobs": jobs}))
    monkeypatch.setattr(plugin, "_run_task_instances", lambda run: [plugin.task_instance_info(
        FakeTI("run_benchmark", "failed", 1))])
    listener = plugin.RunFailureListener()
    listener.on_task_instance_failed(None, FakeTI("run_benchmark", "failed", 1), "manually set")
    listener.on_dag_run_failed(FakeRun(RUN), "Dag Run's state was manually set to `failed`.")
    for thread in listener.threads:
        thread.join(timeout=60)
    reason = "the run was marked failed by a user while benchmark arc_easy was running"
    assert stored(settings) == ("failed", reason)
    assert live_record(settings)["reason"] == reason


def test_the_listener_leaves_runs_whose_results_loaded_and_other_dags_alone(plugin, settings, monkeypatch):
    from leaderboard.settings import load_settings

    submit(load_settings(), "evaluating")  # as if load_results' write were not visible: it must not matter
    monkeypatch.setattr(plugin, "_run_task_instances", lambda run: [
        plugin.task_instance_info(FakeTI("load_results", "success")),
        plugin.task_instance_info(FakeTI("report_outcome", "failed"))])
    listener = plugin.RunFailureListener()
    listener.on_dag_run_failed(FakeRun(RUN), "task_failure")
    listener.on_dag_run_failed(FakeRun(RUN, dag_id="sense_hub_models"), "timed_out")
    assert listener.threads == []
    assert stored(settings) == ("evaluating", None)


def test_the_listener_never_raises(plugin, monkeypatch):
    def broken(run):
        raise RuntimeError("the metadata DB is gone")

    monkeypatch.setattr(plugin, "_run_task_instances", broken)
    listener = plugin.RunFailureListener()
    listener.on_dag_run_failed(FakeRun(RUN), "timed_out")  # logged, not raised
    listener.on_task_instance_failed("running", object(), RuntimeError("boom"))
    assert issubclass(plugin.RunFailurePlugin, __import__("airflow.plugins_manager").plugins_manager.AirflowPlugin)
    assert plugin.RunFailurePlugin.listeners == [plugin.listener]
