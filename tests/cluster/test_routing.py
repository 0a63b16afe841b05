"""Routing as the dag-processor of the cluster sees it: with LEADERBOARD_GPU_QUEUE set, the
benchmark tasks of both runners go to that queue, and everything else stays on the default one."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard.pools import EVALUATION_POOL, WAREHOUSE_POOL
from tests.helpers import environment

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "evaluate_model.py"
WAREHOUSE_WRITERS = {"register_submission", "mark_evaluating", "load_results", "publish_leaderboard"}


def parse_evaluate_model(**env: str):
    from airflow.dag_processing.dagbag import DagBag

    with environment(**env):  # the DAG reads its settings when the file is parsed
        bag = DagBag(dag_folder=str(DAG_FILE))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("evaluate_model")


@pytest.mark.parametrize("runner", ["local", "docker"])
def test_benchmarks_go_to_the_configured_queue(airflow_db, runner):
    dag = parse_evaluate_model(LEADERBOARD_RUNNER=runner, LEADERBOARD_GPU_QUEUE="gpu")
    queues = {task_id: task.queue for task_id, task in dag.task_dict.items()}
    assert queues.pop("run_benchmark") == "gpu"
    assert set(queues.values()) == {"default"}, queues
    assert dag.task_dict["run_benchmark"].pool == EVALUATION_POOL
    writers = {t for t in WAREHOUSE_WRITERS if t in dag.task_dict}
    assert writers >= {"load_results", "publish_leaderboard"}
    assert {dag.task_dict[t].pool for t in writers} == {WAREHOUSE_POOL}


def test_without_a_gpu_queue_everything_runs_on_the_default_queue(airflow_db):
    dag = parse_evaluate_model(LEADERBOARD_RUNNER="local", LEADERBOARD_GPU_QUEUE="default")
    assert {task.queue for task in dag.task_dict.values()} == {"default"}
