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
import re
import uuid
from datetime import datetime, timedelta

from leaderboard import warehouse
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


def _write_json(path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=True))
    tmp.replace(path)


def _reject(settings: Settings, run_id: str, reason: str) -> SubmissionRejected:
    """Leave the reason where load_results finds it, and return the error to raise."""
    _write_json(run_directory(settings, run_id) / "rejection.json", {"reason": reason})
    return SubmissionRejected(reason)


def register(run_id: str, model_id: str, revision: str, suite: str, queued_at: str, submitted_at: str,
             now: str, rate_limit: tuple[int, float] | None = None, settings: Settings | None = None) -> str:
    """Record the run as pending (at the time it was queued), then validating. Refuses an
    organisation over its rate limit: (submissions, window in hours). Returns the trigger."""
    settings = settings or load_settings()
    trigger = trigger_of(run_id)
    run_dir = run_directory(settings, run_id)
    (run_dir / "rejection.json").unlink(missing_ok=True)
    _write_json(run_dir / "request.json", {"model_id": model_id, "requested_revision": revision, "suite": suite,
                                           "submitted_at": submitted_at, "trigger": trigger})
    row = {"submission_id": run_id, "model_id": model_id, "requested_revision": revision, "suite": suite,
           "submitted_at": submitted_at, "trigger": trigger, "revision": None, "suite_version": None,
           "reason": None, "finished_at": None}
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
    return {"model_id": model.model_id, "revision": model.revision, "suite_version": submission["suite_version"]}
