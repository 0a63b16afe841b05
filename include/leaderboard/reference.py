"""lm-eval run directly, through its own CLI, on exactly the tasks and items of some jobs.

It is the reference the pipeline is checked against (end-to-end tests compare per-sample
verdicts) and timed against (bench/). It renders the task configs with the harness's own
function, so both sides evaluate the same config."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import time
from functools import cache
from pathlib import Path

from leaderboard.runners import HARNESS_DIR, offline_env


@cache
def harness_module():
    spec = importlib.util.spec_from_file_location("leaderboard_harness", HARNESS_DIR / "run_benchmark.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_lm_eval_directly(jobs: list[dict], model_path: Path, data_dir: Path, out_dir: Path,
                         eval_python: Path, batch_size: int = 8, dtype: str = "float32") -> tuple[dict, float]:
    """Returns ({task_name: [lm-eval sample records]}, wall seconds of the lm_eval process)."""
    task_dir = out_dir / "tasks"
    task_dir.mkdir(parents=True, exist_ok=True)
    samples = {}
    for job in jobs:
        limit = job["benchmark"]["limit"]  # per subtask, as in the harness
        if limit is None:
            raise ValueError("the reference run needs an item limit per job")
        for name in harness_module().render_task_yamls({**job, "data_dir": str(data_dir)}, task_dir):
            samples[name] = list(range(limit))
    seed = str(jobs[0]["runtime"]["seed"])
    cmd = [str(eval_python), "-m", "lm_eval", "run", "--model", "hf",
           "--model_args", f"pretrained={model_path},dtype={dtype}", "--device", "cpu",
           "--tasks", *samples, "--include_path", str(task_dir), "--samples", json.dumps(samples),
           "--batch_size", str(batch_size), "--seed", seed, "--log_samples",
           "--output_path", str(out_dir / "output")]
    env = offline_env(out_dir, out_dir / "hf")
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=out_dir, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"lm_eval exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    records = {}
    for name in samples:
        files = sorted((out_dir / "output").rglob(f"samples_{name}_*.jsonl"))
        if not files:
            raise RuntimeError(f"lm_eval wrote no samples file for {name}")
        records[name] = [json.loads(line) for line in files[-1].read_text().splitlines() if line.strip()]
    return records, wall


def primary_scores(records: list[dict], primary_metric: str) -> dict[int, float]:
    """doc_id → the primary metric's value under its filter."""
    metric, flt = primary_metric.split(",", 1)
    return {int(r["doc_id"]): float(r[metric]) for r in records if r["filter"] == flt}
