"""No evaluate_model run left behind: when a run ends failed without load_results's final write,
its submission is marked failed with the reason (leaderboard.submissions.fail_unfinished).

Who calls the hooks, in Airflow 3.3:
  on_dag_run_failed, msg "task_failure"   the scheduler (DagRun.update_state), e.g. load_results crashed
  on_dag_run_failed, msg "timed_out"      the scheduler, past the DAG's dagrun_timeout
  on_dag_run_failed, msg "Dag Run's state was manually set to `failed`."
                                          the api-server, for PATCH .../dagRuns/{run_id} {"state": "failed"}
                                          (the UI's "Mark as failed" is that same call); just before it,
  on_task_instance_failed, previous_state None
                                          for each task instance the PATCH stopped: which were running
  on_task_instance_failed, previous_state running
                                          the task's own process, with the exception: kept in the run's
                                          folder for the reason ("task load_results failed: ...")

The hooks run inside the scheduler's loop or the api-server's request, before its database
transaction commits: they only read the run's task instances and start a thread for the writes
(the warehouse may be held by a pooled task for a while). Nothing they raise escapes.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger(__name__)

DAG_ID = "evaluate_model"
FINAL_TASK = "load_results"  # once it succeeded, the submission's end is recorded
MAX_REMEMBERED_RUNS = 256


def _state(value) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def task_instance_info(ti) -> dict:
    map_index = getattr(ti, "map_index", -1)
    # the ORM's rendered_map_index falls back to str(map_index); the column itself stays empty until rendered
    rendered = getattr(ti, "_rendered_map_index", None) if hasattr(ti, "_rendered_map_index") else \
        getattr(ti, "rendered_map_index", None)
    return {"task_id": ti.task_id, "map_index": -1 if map_index is None else map_index,
            "rendered_map_index": rendered, "state": _state(getattr(ti, "state", None)),
            "start_date": getattr(ti, "start_date", None), "end_date": getattr(ti, "end_date", None)}


def _run_task_instances(dag_run) -> list[dict]:
    """The run's task instances as the caller's session sees them (its changes flushed, not committed)."""
    from sqlalchemy.orm import object_session

    session = object_session(dag_run)
    if session is not None:
        return [task_instance_info(ti) for ti in dag_run.get_task_instances(session=session)]
    from airflow.utils.session import create_session

    with create_session() as session:
        return [task_instance_info(ti) for ti in dag_run.get_task_instances(session=session)]


def _fail_in_background(run_id: str, reason: str, now: str, settings) -> None:
    try:
        from leaderboard.submissions import fail_unfinished

        fail_unfinished(run_id, reason, now, settings)
    except Exception:
        log.exception("could not record that submission %s failed (%s)", run_id, reason)


class RunFailureListener:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped: dict[str, list[dict]] = {}  # run id → task instances a user's "mark failed" stopped
        self.threads: list[threading.Thread] = []  # the writers started (tests join them)

    @hookimpl
    def on_task_instance_failed(self, previous_state, task_instance, error):
        try:
            if getattr(task_instance, "dag_id", None) != DAG_ID:
                return
            info = task_instance_info(task_instance)
            if previous_state is None:  # the api-server: a user set it failed, or the whole run
                with self._lock:
                    self._stopped.setdefault(task_instance.run_id, []).append(info)
                    while len(self._stopped) > MAX_REMEMBERED_RUNS:
                        self._stopped.pop(next(iter(self._stopped)))
            else:  # the task's own process, which has the exception
                from leaderboard.submissions import note_task_error

                note_task_error(task_instance.run_id, info["task_id"], info["map_index"], error)
        except Exception:
            log.exception("run failure listener: on_task_instance_failed")

    @hookimpl
    def on_dag_run_failed(self, dag_run, msg):
        try:
            if dag_run.dag_id != DAG_ID:
                return
            self._dag_run_failed(dag_run, str(msg or ""))
        except Exception:
            log.exception("run failure listener: on_dag_run_failed for %s", getattr(dag_run, "run_id", "?"))

    def _dag_run_failed(self, dag_run, msg: str) -> None:
        from leaderboard.settings import load_settings
        from leaderboard.submissions import benchmark_names, failure_reason, task_errors

        run_id = dag_run.run_id
        with self._lock:
            stopped = self._stopped.pop(run_id, [])
        task_instances = _run_task_instances(dag_run)
        if any(ti["task_id"] == FINAL_TASK and ti["state"] == "success" for ti in task_instances):
            log.info("run %s failed after %s recorded its submission's end (%s)", run_id, FINAL_TASK, msg)
            return
        settings = load_settings()
        timeout = getattr(getattr(dag_run, "dag", None), "dagrun_timeout", None)
        timeout_s = timeout.total_seconds() if timeout else settings.run_timeout_s
        reason = failure_reason(msg, task_instances, killed=stopped, timeout_s=timeout_s,
                                errors=task_errors(run_id, settings), benchmarks=benchmark_names(run_id, settings))
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        log.info("run %s failed (%s): marking its submission failed: %s", run_id, msg, reason)
        thread = threading.Thread(target=_fail_in_background, args=(run_id, reason, now, settings),
                                  name=f"fail-submission-{run_id}", daemon=True)
        thread.start()
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]


listener = RunFailureListener()


class RunFailurePlugin(AirflowPlugin):
    name = "leaderboard_run_failures"
    listeners = [listener]
