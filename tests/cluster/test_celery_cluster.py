"""evaluate_model on a real CeleryExecutor cluster: Postgres, Redis, scheduler, dag-processor,
api-server and two Celery worker processes on loopback, driven only through the REST API.

1. Both demo models at once, with a worker on `default` and one on `gpu`: every benchmark task
   runs on the gpu worker, everything else on the default one, and the warehouse ends with one
   row per (model, benchmark) although both runs load and publish (the one-slot pool).
2. A worker dies mid-evaluation (SIGKILL of it and everything it started, as when a node is
   lost). The default worker is restarted on `default,gpu` first, a GPU node that also serves
   default work: a retry can only land on a worker that listens on the killed task's queue. The
   scheduler notices the missing heartbeats (timeout tuned to 20 s), the task's retry runs on
   the surviving worker, and the run succeeds with the results of the retry."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from leaderboard.catalogue import load_catalogue
from leaderboard.pipeline import run_directory
from tests.cluster.cluster import wait_for
from tests.helpers import SMOLLM, query

pytestmark = pytest.mark.e2e

RANDOM_TWIN = "leaderboard-demo/SmolLM2-135M-random"
DAG = "evaluate_model"
CI_BENCHMARKS = {entry.benchmark.name for entry in load_catalogue().suite("ci").entries}
RUN_TIMEOUT_S = 1800  # a few minutes on two free cores; only a bound for a hung cluster


def trigger(cluster, model_id: str, **conf) -> str:
    return cluster.api.trigger(DAG, {"model_id": model_id, "revision": "main", "suite": "ci", **conf})


def task_instances(cluster, run_id: str) -> list[dict]:
    path = f"/api/v2/dags/{DAG}/dagRuns/{quote(run_id, safe='')}/taskInstances"
    return cluster.api._request("GET", path, params={"limit": 100}).json()["task_instances"]


def tries(cluster, run_id: str, task_id: str, map_index: int) -> list[dict]:
    path = f"/api/v2/dags/{DAG}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/{map_index}/tries"
    return cluster.api._request("GET", path).json()["task_instances"]


def wait_for_runs(cluster, run_ids: list[str]) -> dict[str, str]:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    states = {}
    for run_id in run_ids:
        try:
            states[run_id] = cluster.api.wait(DAG, run_id, timeout_s=max(deadline - time.monotonic(), 1), poll_s=2)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{cluster.diagnostics()}") from None
    return states


def start_workers(cluster, *workers: tuple[str, str, int]) -> None:
    """Start the workers not running yet and wait until each is ready."""
    services = [cluster.start_worker(name, queues, cluster.env, concurrency) for name, queues, concurrency in workers
                if not (f"worker-{name}" in cluster.services and cluster.services[f"worker-{name}"].alive())]
    for service in services:
        wait_for(service.name, lambda s=service: cluster.worker_ready(s), 120, cluster.diagnostics)


def results_per_model_and_benchmark(cluster) -> dict[tuple[str, str], int]:
    rows = query(cluster.leaderboard_home / "warehouse.duckdb",
                 "SELECT model_id, benchmark, count(*) FROM results GROUP BY ALL")
    return {(model, benchmark): n for model, benchmark, n in rows}


def test_both_models_run_concurrently_with_benchmarks_on_the_gpu_worker(cluster):
    start_workers(cluster, ("cpu-1", "default", 2), ("gpu-1", "gpu", 2))
    runs = {model: trigger(cluster, model) for model in (SMOLLM, RANDOM_TWIN)}

    states = wait_for_runs(cluster, list(runs.values()))
    assert set(states.values()) == {"success"}, f"{states}\n{cluster.diagnostics()}"

    for model, run_id in runs.items():
        placed = [(ti["task_id"], ti["queue"], ti["hostname"], ti["state"]) for ti in task_instances(cluster, run_id)]
        benchmarks = [p for p in placed if p[0] == "run_benchmark"]
        assert len(benchmarks) == len(CI_BENCHMARKS), placed
        assert {(q, host, state) for _, q, host, state in benchmarks} == {("gpu", "gpu-1", "success")}, placed
        others = [p for p in placed if p[0] != "run_benchmark"]
        assert {(q, host) for _, q, host, _ in others} == {("default", "cpu-1")}, placed

    expected = {(model, benchmark): 1 for model in runs for benchmark in CI_BENCHMARKS}
    assert results_per_model_and_benchmark(cluster) == expected
    statuses = query(cluster.leaderboard_home / "warehouse.duckdb",
                     "SELECT model_id, status FROM submissions ORDER BY model_id")
    assert statuses == sorted((m, "completed") for m in runs)


def _benchmark_running_on(cluster, run_id: str, hostname: str) -> dict | None:
    """A run_benchmark task that runs on `hostname` and whose harness has started."""
    run_dir = run_directory(SimpleNamespace(runs_dir=cluster.leaderboard_home / "runs"), run_id)
    for ti in task_instances(cluster, run_id):
        if ti["task_id"] == "run_benchmark" and ti["state"] == "running" and ti["hostname"] == hostname:
            # the rendered map index appears only when the task ends; jobs are mapped in order
            job = json.loads((run_dir / "submission.json").read_text())["jobs"][ti["map_index"]]
            if (run_dir / "benchmarks" / job["benchmark"]["name"] / "harness.log").is_file():
                return ti
    return None


def test_killed_worker_task_is_retried_on_the_other_worker(cluster):
    if "worker-cpu-1" in cluster.services:
        cluster.services["worker-cpu-1"].stop()
    start_workers(cluster, ("gpu-1", "gpu", 2), ("gpu-2", "default,gpu", 1))
    # the same sha again, deliberately (rerun): else refused as a duplicate of the first run
    run_id = trigger(cluster, SMOLLM, rerun=True)

    victim = {}
    wait_for("a benchmark evaluating on gpu-1",
             lambda: victim.update(_benchmark_running_on(cluster, run_id, "gpu-1") or {}) or victim, 300,
             cluster.diagnostics)
    cluster.services["worker-gpu-1"].kill_hard()

    assert wait_for_runs(cluster, [run_id]) == {run_id: "success"}, cluster.diagnostics()
    history = tries(cluster, run_id, "run_benchmark", victim["map_index"])
    assert [(t["try_number"], t["hostname"]) for t in history] == [(1, "gpu-1"), (2, "gpu-2")], history
    assert [t["state"] for t in history] == ["failed", "success"], history

    results = results_per_model_and_benchmark(cluster)
    assert set(results.values()) == {1}, f"one row per (model, benchmark): {results}"
    assert {b for m, b in results if m == SMOLLM} == CI_BENCHMARKS
    assert query(cluster.leaderboard_home / "warehouse.duckdb",
                 "SELECT status FROM submissions WHERE submission_id = ?", [run_id]) == [("completed",)]
    smollm_runs = query(cluster.leaderboard_home / "warehouse.duckdb",
                        "SELECT DISTINCT run_id FROM results WHERE model_id = ?", [SMOLLM])
    assert smollm_runs == [(run_id,)], "the rerun's results replace the first run's"
