"""Evaluate one model on one suite: resolve → one task per benchmark → load → rank and publish."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk import Param, dag, get_current_context, task

from leaderboard.catalogue import load_catalogue
from leaderboard.settings import load_settings
from leaderboard.model_ids import MODEL_ID_PATTERN, REVISION_PATTERN
from leaderboard.pools import EVALUATION_POOL, WAREHOUSE_POOL

DOC = """
### Evaluate a model
Runs every benchmark of the chosen **suite** on **model_id** at **revision**, loads the scores
into the warehouse, recomputes the ranking and publishes the snapshot the leaderboard reads.
A rejected or failed submission is recorded with its reason and the run ends failed.
"""


SETTINGS = load_settings()  # environment only: which runner, timeouts, queue
BENCHMARK_TIMEOUT = timedelta(seconds=SETTINGS.benchmark_timeout_s + 300)


def _now_iso(context) -> str:
    return context["ti"].start_date.isoformat()


@dag(
    dag_id="evaluate_model",
    schedule=None,
    catchup=False,
    max_active_runs=4,
    tags=["leaderboard", "evaluation"],
    doc_md=DOC,
    default_args={"owner": "leaderboard", "retries": 1, "retry_delay": timedelta(seconds=SETTINGS.retry_delay_s)},
    params={
        "model_id": Param("HuggingFaceTB/SmolLM2-135M-Instruct", type="string", pattern=MODEL_ID_PATTERN,
                          title="Model id", description="org/name of the model repo"),
        "revision": Param("main", type="string", pattern=REVISION_PATTERN, title="Revision",
                          description="branch, tag or commit sha; pinned to a sha before evaluation"),
        "suite": Param("smoke", type="string", enum=sorted(load_catalogue().suites), title="Suite",
                       description="which benchmark suite (and so which leaderboard track)"),
    },
    render_template_as_native_obj=False,
)
def evaluate_model():
    @task(retries=0)
    def resolve_model() -> list[dict]:
        from leaderboard.errors import LeaderboardError
        from leaderboard.pipeline import resolve_submission

        ctx = get_current_context()
        params, run = ctx["params"], ctx["dag_run"]
        try:
            return resolve_submission(run.run_id, params["model_id"], params["revision"], params["suite"],
                                      submitted_at=run.run_after.isoformat())
        except LeaderboardError as exc:  # bad input: fail at once, no retry
            raise AirflowFailException(str(exc)) from exc

    @task(map_index_template="{{ benchmark }}", pool=EVALUATION_POOL, execution_timeout=BENCHMARK_TIMEOUT)
    def run_benchmark(job: dict) -> dict:
        from leaderboard.pipeline import run_benchmark as run

        ctx = get_current_context()
        ctx["benchmark"] = job["benchmark"]["name"]
        return run(ctx["dag_run"].run_id, job)

    @task(pool=WAREHOUSE_POOL, trigger_rule="all_done", retries=2)
    def load_results() -> dict:
        from leaderboard.pipeline import load_results as load

        ctx = get_current_context()
        return load(ctx["dag_run"].run_id, finished_at=_now_iso(ctx))

    @task(pool=WAREHOUSE_POOL, trigger_rule="all_done", retries=2)
    def publish_leaderboard() -> dict:
        from leaderboard.pipeline import publish_leaderboard as publish

        return publish(published_at=_now_iso(get_current_context()))

    @task(retries=0)
    def report_outcome(outcome: dict) -> dict:
        if outcome["status"] != "completed":
            raise AirflowFailException(f"submission {outcome['status']}: {outcome['reason']}")
        return outcome

    jobs = resolve_model()
    if SETTINGS.runner == "docker":
        from leaderboard.docker_runner import BenchmarkContainerOperator
        from leaderboard.runners import harness_image

        scores = BenchmarkContainerOperator.partial(
            task_id="run_benchmark", image=harness_image(), pool=EVALUATION_POOL, queue=SETTINGS.docker.queue,
            execution_timeout=BENCHMARK_TIMEOUT, map_index_template="{{ task.job['benchmark']['name'] }}",
        ).expand(job=jobs)
    else:
        scores = run_benchmark.expand(job=jobs)
    outcome = load_results()
    published = publish_leaderboard()
    scores >> outcome >> published >> report_outcome(outcome)


evaluate_model()
