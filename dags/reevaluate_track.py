"""Re-evaluate a suite's models on its current track after the suite changed (a new version)."""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import Param, dag, get_current_context, task

from leaderboard.catalogue import load_catalogue

DOC = """
### Re-evaluate a track
When a benchmark of **suite** changes (new version, task config or data), the suite gets a new
version: a new leaderboard track, and the old tracks stay as they were. This DAG reads the
published snapshot, finds every model evaluated on an older track of the suite (or only on
**from_suite_version**) that has no result on the current track, and queues one
`evaluate_model` run per model at the revision evaluated before. Run ids are derived from
the model and the target track, so running it twice queues nobody twice.
"""


@dag(
    dag_id="reevaluate_track",
    schedule=None,
    catchup=False,
    max_active_runs=1,
    tags=["leaderboard", "evaluation", "tracks"],
    doc_md=DOC,
    default_args={"owner": "leaderboard", "retries": 1, "retry_delay": timedelta(seconds=30)},
    params={
        "suite": Param("smoke", type="string", enum=sorted(load_catalogue().suites), title="Suite",
                       description="re-queue the models of this suite's older tracks on its current track"),
        "from_suite_version": Param(None, type=["null", "string"], pattern=r"^[0-9a-f]{12}$",
                                    title="Old suite version",
                                    description="only the models of this track (empty: every older track)"),
    },
)
def reevaluate_track():
    @task
    def plan_reevaluation() -> list[dict]:
        from leaderboard.tracks import reevaluation_plan, trigger_requests

        params = get_current_context()["params"]
        return trigger_requests(reevaluation_plan(params["suite"], params.get("from_suite_version") or None))

    TriggerDagRunOperator.partial(
        task_id="queue_evaluation", trigger_dag_id="evaluate_model", wait_for_completion=False,
        skip_when_already_exists=True,
    ).expand_kwargs(plan_reevaluation())


reevaluate_track()
