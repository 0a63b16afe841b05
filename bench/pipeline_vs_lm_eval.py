"""Wall time of the whole evaluate_model pipeline against lm_eval run directly, side by side.

Both evaluate the same model on the same task configs and items (the `smoke` suite by default)
on this machine, in one run of this script:
- pipeline: the real DAG through dag.test(): resolve and verify data, one harness process per
  benchmark (local runner), validate, load into DuckDB, rank, publish;
- direct: one `lm_eval run` process over all the suite's tasks, with the same items, seed,
  batch size and dtype.

    .venvs/platform/bin/python bench/pipeline_vs_lm_eval.py [--suite smoke] [--model ORG/NAME]

Target (issue 2): pipeline / direct <= 1.25.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="smoke")
    parser.add_argument("--model", default="HuggingFaceTB/SmolLM2-135M-Instruct")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    os.environ.update({
        "AIRFLOW_HOME": str(work / "airflow"), "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "LEADERBOARD_HOME": str(work / "leaderboard"),
        "LEADERBOARD_MODELS_DIR": os.environ.get("LEADERBOARD_MODELS_DIR", str(REPO / "var" / "models")),
    })
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)
    subprocess.run([str(airflow), "pools", "import", str(REPO / "include/leaderboard/pools.json")],
                   check=True, capture_output=True)

    from airflow.dag_processing.dagbag import DagBag

    from leaderboard.reference import run_lm_eval_directly
    from leaderboard.settings import load_settings

    dag = DagBag(dag_folder=str(REPO / "dags")).get_dag("evaluate_model")
    started = time.perf_counter()
    run = dag.test(run_conf={"model_id": args.model, "suite": args.suite})
    pipeline_s = time.perf_counter() - started
    if run.state != "success":
        raise SystemExit(f"pipeline run ended {run.state}")

    settings = load_settings()
    run_dir = next(settings.runs_dir.iterdir())
    submission = json.loads((run_dir / "submission.json").read_text())
    _, direct_s = run_lm_eval_directly(submission["jobs"], Path(submission["model_path"]), settings.benchmarks_dir,
                                       work / "direct", settings.eval_python, batch_size=settings.batch_size)

    print(f"\nmodel {args.model}, suite {args.suite} ({os.cpu_count()} CPU cores)")
    for job in submission["jobs"]:
        name = job["benchmark"]["name"]
        timings = json.loads((run_dir / "benchmarks" / name / "results.json").read_text())["timings"]
        print(f"  pipeline {name:<10} items {job['benchmark']['limit']!s:>5}  harness wall {timings['wall_seconds']:6.1f} s "
              f"(model load {timings['model_load_seconds']:.1f} s, evaluation {timings['eval_seconds']:.1f} s)")
    print(f"  pipeline (dag.test, all tasks)   {pipeline_s:7.1f} s")
    print(f"  lm_eval run directly             {direct_s:7.1f} s")
    print(f"  ratio pipeline / direct          {pipeline_s / direct_s:7.2f}x   (target <= 1.25x)")


if __name__ == "__main__":
    main()
