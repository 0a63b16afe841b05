"""The submission lifecycle: pending → validating → evaluating → completed, failed or rejected.

Every state change is one warehouse write (the row in `submissions` and an appended row in
`submission_events`), made by a task in the one-slot warehouse pool:

    register_submission   pending (when the run was queued) and validating; the rate limit
    resolve_model         (no warehouse) the model's checks, see model_source / hub.source
    mark_evaluating       the model's metadata and evaluating; refuses duplicates
    load_results          completed, failed or rejected, with the reason

Who asked is read from the run id's prefix (run_id_for): cli__, poll__ and webhook__ runs say
so; anything else (the Airflow UI form, a bare REST call) is a manual submission.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import datetime, timedelta

import duckdb

from leaderboard import live, warehouse
from leaderboard.errors import SubmissionRejected
from leaderboard.model_source import ModelInfo
from leaderboard.pipeline import run_directory
from leaderboard.settings import Settings, load_settings

TRIGGERS = ("manual", "cli", "poll", "webhook")
STATUSES = ("pending", "validating", "evaluating", "completed", "failed", "rejected")


def trigger_of(run_id: str) -> str:
    prefix = run_id.split("__", 1)[0]
    return prefix if prefix in TRIGGERS else "manual"


def run_id_for(trigger: str, model_id: str, revision: str, suite: str, unique: bool = False) -> str:
    """A deterministic run id for (trigger, model, revision, suite): Airflow refuses a second run
    with the same id (409), so a burst of the same event queues one run. `unique` adds a random
    suffix, for explicit requests that may repeat (the CLI)."""
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}; expected one of {TRIGGERS}")
    # '--' never occurs in a valid model id, so the id stays readable and unambiguous.
    run_id = f"{trigger}__{model_id.replace('/', '--')}__{revision}__{suite}"
    run_id = run_id + f"__{uuid.uuid4().hex[:8]}" if unique else run_id
    return re.sub(r"[^A-Za-z0-9_.~:+-]", "_", run_id)  # Airflow's allowed run id characters


def _reject(settings: Settings, run_id: str, reason: str) -> SubmissionRejected:
    """Leave the reason where load_results finds it, and return the error to raise."""
    live.write_json_atomic(run_directory(settings, run_id) / "rejection.json", {"reason": reason})
    return SubmissionRejected(reason)


def register(run_id: str, model_id: str, revision: str, suite: str, queued_at: str, submitted_at: str,
             now: str, rate_limit: tuple[int, float] | None = None, settings: Settings | None = None) -> str:
    """Record the run as pending (at the time it was queued), then validating. Refuses an
    organisation over its rate limit: (submissions, window in hours). Returns the trigger."""
    settings = settings or load_settings()
    trigger = trigger_of(run_id)
    run_dir = run_directory(settings, run_id)
    (run_dir / "rejection.json").unlink(missing_ok=True)
    live.write_json_atomic(run_dir / "request.json", {
        "model_id": model_id, "requested_revision": revision, "suite": suite, "submitted_at": submitted_at,
        "trigger": trigger})
    row = {"submission_id": run_id, "model_id": model_id, "requested_revision": revision, "suite": suite,
           "submitted_at": submitted_at, "trigger": trigger, "revision": None, "suite_version": None,
           "reason": None, "finished_at": None}
    live.write_submission(settings.published_dir, {**row, "status": "pending", "updated_at": queued_at})
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.record_submission(con, {**row, "status": "pending", "updated_at": queued_at})
        if rate_limit is not None:
            limit, window_hours = rate_limit
            org = model_id.split("/", 1)[0]
            since = datetime.fromisoformat(now) - timedelta(hours=window_hours)
            (recent,) = con.execute(warehouse.sql("org_recent_submissions"),
                                    {"org": org, "submission_id": run_id, "since": since}).fetchone()
            if recent >= limit:
                raise _reject(settings, run_id,
                              f"rate limit: {org!r} already has {recent} submissions in the last "
                              f"{window_hours:g} hours (at most {limit}); try again later")
        warehouse.record_submission(con, {**row, "status": "validating", "updated_at": now})
    live.write_submission(settings.published_dir, {**row, "status": "validating", "updated_at": now})
    return trigger


def mark_evaluating(run_id: str, now: str, rerun: bool = False, settings: Settings | None = None) -> dict:
    """After resolve_model: store the model's metadata and move to evaluating, unless the same
    (model, sha, suite version) is already being evaluated or completed (rerun: evaluate anyway)."""
    settings = settings or load_settings()
    run_dir = run_directory(settings, run_id)
    submission = json.loads((run_dir / "submission.json").read_text())
    model = ModelInfo(**submission["model"])
    key = {"model_id": model.model_id, "revision": model.revision, "suite_version": submission["suite_version"],
           "submission_id": run_id}
    with warehouse.connect(settings.warehouse_path) as con:
        duplicate = None if rerun else con.execute(warehouse.sql("submission_duplicate"), key).fetchone()
        if duplicate is not None:
            raise _reject(settings, run_id,
                          f"duplicate: {model.model_id}@{model.revision[:12]} on suite {submission['suite']} "
                          f"(version {submission['suite_version']}) is already {duplicate[1]} in submission "
                          f"{duplicate[0]}")
        warehouse.record_model(con, model)
        warehouse.record_submission(con, {
            **key, "requested_revision": None, "suite": submission["suite"], "submitted_at": None,
            "trigger": None, "status": "evaluating", "reason": None, "finished_at": None, "updated_at": now})
    declared = [{"benchmark": job["benchmark"]["name"], "items_total": job["benchmark"]["expected_samples"]}
                for job in submission["jobs"]]
    live.write_submission(settings.published_dir, {
        **key, "suite": submission["suite"], "status": "evaluating", "updated_at": now,
        "benchmarks_declared": declared})
    return {"model_id": model.model_id, "revision": model.revision, "suite_version": submission["suite_version"]}


# --- runs that end failed without load_results's final write ----------------------------------
#
# A user marks the run failed while a benchmark runs, the run times out (dagrun_timeout), or
# load_results itself crashes: the run ends failed and no task records where the submission
# ended. The listener in plugins/run_failure_listener.py then calls fail_unfinished from the
# process that saw the run fail (the scheduler, or the api-server for a run marked failed). That
# process is outside the warehouse pool, so a pooled task may hold the DuckDB file: it retries
# for a while, and if the file stays locked it leaves runs/<run>/run_failed.json, which the next
# pooled writer records (reconcile_failed_runs, from publish_leaderboard). The live status file
# says "failed" at once either way.

log = logging.getLogger(__name__)

FINAL_STATUSES = live.FINAL_STATUSES
FAILED_MARKER = "run_failed.json"  # runs/<run>/: a failure the warehouse has not recorded yet
TASK_ERRORS_DIR = "task_errors"  # runs/<run>/task_errors/<task>.json: a failed task's last error
LOCK_WAIT_S = 30.0
LOCK_RETRY_S = 0.5
ERROR_CHARS = 500


class WarehouseLocked(RuntimeError):
    """Another process held the warehouse file for longer than the caller would wait."""


def is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def with_warehouse(settings: Settings, work, wait_s: float = LOCK_WAIT_S, retry_s: float = LOCK_RETRY_S):
    """work(con) on the warehouse, for a writer outside the warehouse pool: while another process
    holds the file, try again every retry_s for up to wait_s, then raise WarehouseLocked."""
    deadline = time.monotonic() + wait_s
    attempts = 0
    while True:
        attempts += 1
        try:
            with warehouse.connect(settings.warehouse_path) as con:
                return work(con)
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise
            if time.monotonic() + retry_s > deadline:
                raise WarehouseLocked(f"the warehouse {settings.warehouse_path} stayed locked for {wait_s:g} s "
                                      f"({attempts} attempts): {exc}") from exc
            time.sleep(retry_s)


def record_failure(con, run_id: str, reason: str, failed_at: str, request: dict | None) -> tuple[bool, dict | None]:
    """Record the submission failed, unless it already ended or changed after failed_at (a cleared
    run that started again). `request` (the run's request.json) fills in a submission the warehouse
    has never seen. Returns (recorded, what the warehouse held before: status and reason)."""
    row = con.execute(warehouse.sql("submission_before_failure"),
                      {"submission_id": run_id, "failed_at": failed_at}).fetchone()
    before = None if row is None else {"status": row[0], "reason": row[1]}
    if row is None and request is None:
        return False, None
    if row is not None and (row[0] in FINAL_STATUSES or row[4]):
        return False, before
    request = request or {}
    warehouse.record_submission(con, {
        "submission_id": run_id,
        "model_id": row[2] if row else request["model_id"], "suite": row[3] if row else request["suite"],
        "requested_revision": request.get("requested_revision"), "submitted_at": request.get("submitted_at"),
        "trigger": trigger_of(run_id), "revision": None, "suite_version": None,
        "status": "failed", "reason": reason, "finished_at": failed_at, "updated_at": failed_at})
    return True, before


def _published_status(settings: Settings, run_id: str) -> str | None:
    """The submission's status in the published snapshot (its live folder is pruned once that is final)."""
    if not settings.published_path.is_file():
        return None
    try:
        with warehouse.read_only(settings.published_path) as con:
            row = con.execute(warehouse.sql("submission_status"), {"submission_id": run_id}).fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def fail_unfinished(run_id: str, reason: str, now: str, settings: Settings | None = None, *,
                    lock_wait_s: float = LOCK_WAIT_S, lock_retry_s: float = LOCK_RETRY_S) -> bool:
    """The run ended failed: unless the submission already ended (completed, failed or rejected),
    record it failed with `reason`. The live status file first, at once; then the warehouse,
    waiting up to lock_wait_s for a pooled task to release it; if it stays locked, the failure
    stays in runs/<run>/run_failed.json for reconcile_failed_runs. True when the submission was
    unfinished and is now failed (or will be, from the marker)."""
    settings = settings or load_settings()
    run_dir = run_directory(settings, run_id)
    request = live.read_json_object(run_dir / "request.json")
    current = live.read_json_object(live.submission_dir(settings.published_dir, run_id) / live.SUBMISSION_FILE)
    if request is None and current is None:
        log.info("run %s failed before it registered a submission: nothing to record", run_id)
        return False
    status = current.get("status") if current else _published_status(settings, run_id)
    if status in FINAL_STATUSES:
        log.info("run %s failed after its submission ended %s: nothing to record", run_id, status)
        return False
    identity = {k: (request or {}).get(k) for k in ("model_id", "suite", "requested_revision", "submitted_at")}
    live.write_submission(settings.published_dir, {**identity, "submission_id": run_id, "status": "failed",
                                                   "reason": reason, "finished_at": now, "updated_at": now})
    marker = run_dir / FAILED_MARKER
    live.write_json_atomic(marker, {"submission_id": run_id, "reason": reason, "failed_at": now})
    try:
        recorded, before = with_warehouse(settings, lambda con: record_failure(con, run_id, reason, now, request),
                                          lock_wait_s, lock_retry_s)
    except WarehouseLocked as exc:
        log.warning("%s; the failure of %s stays in %s for the next warehouse writer", exc, run_id, marker)
        return True
    marker.unlink(missing_ok=True)
    if recorded:
        log.info("submission %s failed: %s", run_id, reason)
        return True
    if before is not None and before["status"] in FINAL_STATUSES:  # it ended after all: readers follow the warehouse
        path = live.submission_dir(settings.published_dir, run_id) / live.SUBMISSION_FILE
        live.write_json_atomic(path, {**(live.read_json_object(path) or {}), **before, "updated_at": now})
        return before["status"] == "failed" and before["reason"] == reason  # a writer took our marker
    return False


def reconcile_failed_runs(con, settings: Settings | None = None) -> list[str]:
    """Record the failures that fail_unfinished left in runs/*/run_failed.json because the warehouse
    was locked. For the pooled warehouse writers, with their open connection. Returns the runs
    recorded failed; every marker read is removed (one of a submission that has since ended or
    started again is stale)."""
    settings = settings or load_settings()
    recorded = []
    for marker in sorted(settings.runs_dir.glob(f"*/{FAILED_MARKER}")):
        document = live.read_json_object(marker)
        if document and all(isinstance(document.get(k), str) for k in ("submission_id", "reason", "failed_at")):
            done, _ = record_failure(con, document["submission_id"], document["reason"], document["failed_at"],
                                     live.read_json_object(marker.parent / "request.json"))
            if done:
                recorded.append(document["submission_id"])
                log.info("recorded the failure of %s left in %s: %s", document["submission_id"], marker,
                         document["reason"])
        else:
            log.warning("ignoring an unreadable failure marker %s", marker)
        marker.unlink(missing_ok=True)
    return recorded


# --- why a run failed, in words ------------------------------------------------------------------

def note_task_error(run_id: str, task_id: str, map_index: int, error, settings: Settings | None = None) -> None:
    """Keep a failed task's error where the run's failure reason is put together (failure_reason):
    called by the listener in the task's own process, the one that has the exception."""
    settings = settings or load_settings()
    text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error or "")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", task_id if map_index is None or map_index < 0 else f"{task_id}.{map_index}")
    live.write_json_atomic(run_directory(settings, run_id) / TASK_ERRORS_DIR / f"{name}.json",
                {"task_id": task_id, "map_index": -1 if map_index is None else map_index,
                 "error": text[:ERROR_CHARS]})


def task_errors(run_id: str, settings: Settings | None = None) -> dict[tuple[str, int], str]:
    """(task_id, map_index) → the last error note_task_error kept for the run."""
    settings = settings or load_settings()
    errors = {}
    for path in sorted((run_directory(settings, run_id) / TASK_ERRORS_DIR).glob("*.json")):
        document = live.read_json_object(path)
        if document and isinstance(document.get("task_id"), str) and isinstance(document.get("error"), str):
            errors[(document["task_id"], int(document.get("map_index", -1)))] = document["error"]
    return errors


def benchmark_names(run_id: str, settings: Settings | None = None) -> list[str]:
    """The run's benchmarks in the order run_benchmark is mapped over them (its map indexes): a
    running task has no rendered map index yet (the template is rendered when it ends)."""
    settings = settings or load_settings()
    submission = live.read_json_object(run_directory(settings, run_id) / "submission.json") or {}
    try:
        return [job["benchmark"]["name"] for job in submission.get("jobs", [])]
    except (KeyError, TypeError):
        return []


def _map_name(ti: dict, benchmarks: list[str]) -> str | None:
    index = ti.get("map_index", -1)
    if ti.get("rendered_map_index") and ti["rendered_map_index"] != str(index):  # not the bare index
        return ti["rendered_map_index"]
    if index is None or index < 0:
        return None
    return benchmarks[index] if ti["task_id"] == "run_benchmark" and index < len(benchmarks) else str(index)


def _benchmark_or_task(ti: dict, benchmarks: list[str]) -> str:
    name = _map_name(ti, benchmarks)
    if ti["task_id"] == "run_benchmark" and name:
        return f"benchmark {name}"
    return f"task {ti['task_id']}" + (f"[{name}]" if name else "")


def _task(ti: dict, benchmarks: list[str]) -> str:
    name = _map_name(ti, benchmarks)
    return ti["task_id"] + (f"[{name}]" if name else "")


def _while_running(tis: list[dict], benchmarks: list[str]) -> str | None:
    names = list(dict.fromkeys(_benchmark_or_task(ti, benchmarks) for ti in tis))
    if not names:
        return None
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{listed} {'was' if len(names) == 1 else 'were'} running"


def failure_reason(msg: str, task_instances: list[dict], *, killed: list[dict] | None = None,
                   timeout_s: float | None = None, errors: dict[tuple[str, int], str] | None = None,
                   benchmarks: list[str] | None = None) -> str:
    """Why an evaluate_model run ended failed, for the submission's reason. `msg` is what Airflow
    told the listener (task_failure, timed_out, "Dag Run's state was manually set to `failed`.", ...);
    task_instances are the run's task instances as the listener saw them (dicts: task_id,
    map_index, rendered_map_index, state, start_date, end_date); killed the ones a user's
    "mark failed" stopped; errors the failed tasks' errors (task_errors); benchmarks the names of
    run_benchmark's map indexes (benchmark_names)."""
    errors, benchmarks = errors or {}, benchmarks or []
    if "manually set" in msg:
        running = _while_running(killed or [], benchmarks)
        return ("the run was marked failed by a user " +
                (f"while {running}" if running else "before its results loaded"))
    if msg == "timed_out":
        # the scheduler skips what was unfinished; a task it stopped mid-run had started and not ended
        stopped = [ti for ti in task_instances if ti.get("state") in ("skipped", "running")
                   and ti.get("start_date") is not None and ti.get("end_date") is None]
        running = _while_running(stopped, benchmarks)
        limit = f" after {int(timeout_s)} s" if timeout_s else ""
        return f"the run timed out{limit} before its results loaded" + (f" (while {running})" if running else "")
    if msg == "task_failure":
        failed = [ti for ti in task_instances if ti.get("state") == "failed"]
        failed.sort(key=lambda ti: (ti["task_id"] != "load_results", str(ti.get("end_date") or "")))
        parts = []
        for ti in failed:
            error = errors.get((ti["task_id"], ti.get("map_index", -1)))
            parts.append(f"task {_task(ti, benchmarks)} failed" + (f": {error}" if error else ""))
        return "; ".join(parts) or "a task failed before the results loaded"
    return f"the run ended failed ({msg}) before its results loaded"
