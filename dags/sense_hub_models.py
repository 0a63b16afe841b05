"""Poll the Hugging Face Hub for new models and queue one evaluate_model run per new (model, sha)."""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import Param, dag, get_current_context, task

from leaderboard.catalogue import load_catalogue
from leaderboard.hub.config import load_hub_config

DOC = """
### Sense new models on the Hub
Lists the Hub's models (newest modification first) matching **authors**, **tags**, **task** and
**library**, and queues `evaluate_model` on **suite** for every (model, sha) not seen before, at
exactly that sha. The watermark is persisted under `LEADERBOARD_HOME/hub/` and advances only
after the runs were queued; run ids derive from (model, sha, suite), so nothing is queued twice.
On the very first poll, **backfill** decides whether the models already there are evaluated.
"""

HUB = load_hub_config(read_secrets=False)  # policy.yaml and the environment: schedule, default filters


@dag(
    dag_id="sense_hub_models",
    schedule=HUB.poll.schedule,
    catchup=False,
    max_active_runs=1,
    tags=["leaderboard", "hub"],
    doc_md=DOC,
    default_args={"owner": "leaderboard", "retries": 2, "retry_delay": timedelta(seconds=30)},
    params={
        "authors": Param(list(HUB.poll.authors), type="array", items={"type": "string"}, title="Authors",
                         description="one listing per author; empty: every author"),
        "tags": Param(list(HUB.poll.tags), type="array", items={"type": "string"}, title="Tags",
                      description="models must carry all of them"),
        "task": Param(HUB.poll.task, type=["null", "string"], title="Task", description="pipeline tag"),
        "library": Param(HUB.poll.library, type=["null", "string"], title="Library"),
        "suite": Param(HUB.suite, type="string", enum=sorted(load_catalogue().suites), title="Suite"),
        "backfill": Param(False, type="boolean", title="Backfill",
                          description="on the first poll, also evaluate the models already on the Hub"),
    },
)
def sense_hub_models():
    @task
    def sense() -> list[dict]:
        from huggingface_hub import HfApi

        from leaderboard.hub.poller import Filters, plan_poll
        from leaderboard.settings import load_settings

        ctx = get_current_context()
        p = ctx["params"]
        hub = load_hub_config()
        filters = Filters(tuple(p["authors"] or ()), tuple(p["tags"] or ()), p.get("task") or None,
                          p.get("library") or None)
        api = HfApi(endpoint=hub.endpoint, token=hub.token or False)
        return plan_poll(api, hub, load_settings().home, ctx["dag_run"].run_id, filters, p["suite"],
                         bool(p["backfill"]))

    @task(trigger_rule="none_failed")
    def commit_watermark() -> None:
        from leaderboard.hub.poller import commit_poll
        from leaderboard.settings import load_settings

        commit_poll(load_settings().home, get_current_context()["dag_run"].run_id)

    queued = TriggerDagRunOperator.partial(
        task_id="queue_evaluation", trigger_dag_id="evaluate_model", wait_for_completion=False,
        skip_when_already_exists=True,
    ).expand_kwargs(sense())
    queued >> commit_watermark()


sense_hub_models()
