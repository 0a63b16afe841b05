"""Per-benchmark wall time of the docker runner against the local runner, side by side.

Each benchmark job of a suite runs through both runners, alternately (`--repeat` rounds),
from "start the runner" to "results.json written and validated":
- local: a subprocess of the eval env (LocalRunner);
- docker: a fresh container of the harness image with no network, read-only model and data
  mounts, memory and CPU limits (BenchmarkContainerOperator's ContainerRun).

    .venvs/platform/bin/python bench/docker_vs_local.py [--suite ci] [--repeat 2]

Target (issue 3): docker overhead <= 5 s per task. Needs dockerd and the harness image.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="ci")
    parser.add_argument("--model", default="HuggingFaceTB/SmolLM2-135M-Instruct")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-docker-"))
    os.environ.setdefault("LEADERBOARD_MODELS_DIR", str(REPO / "var" / "models"))
    os.environ["LEADERBOARD_HOME"] = str(work)

    from leaderboard.docker_runner import BenchmarkContainerOperator, ContainerRun
    from leaderboard.pipeline import resolve_submission
    from leaderboard.results import validate_result
    from leaderboard.runners import LocalRunner, harness_image
    from leaderboard.settings import load_settings

    settings = load_settings()
    jobs = resolve_submission("bench", args.model, "main", args.suite, submitted_at="2026-01-01T00:00:00+00:00")
    model_path = Path(__import__("json").loads((settings.runs_dir / "bench" / "submission.json").read_text())["model_path"])

    def timed(run, job, out: Path) -> float:
        out.mkdir(parents=True)
        started = time.perf_counter()
        run(job, model_path, out)
        validate_result(out, job)
        return time.perf_counter() - started

    times = {job["benchmark"]["name"]: {"local": [], "docker": []} for job in jobs}
    for round_no in range(args.repeat):
        for job in jobs:
            name = job["benchmark"]["name"]
            times[name]["local"].append(timed(LocalRunner(settings).run, job, work / f"local-{name}-{round_no}"))
            op = BenchmarkContainerOperator(task_id=f"bench_{name}_{round_no}", job=job, image=harness_image())
            times[name]["docker"].append(timed(ContainerRun(op).run, job, work / f"docker-{name}-{round_no}"))

    print(f"\nsuite {args.suite}, model {args.model}, image {harness_image()}, {args.repeat} rounds, "
          f"{os.cpu_count()} CPU cores; median wall seconds per task (start to validated result)")
    print(f"  {'benchmark':<12} {'local':>8} {'docker':>8} {'overhead':>9}")
    for name, t in times.items():
        local, docker = statistics.median(t["local"]), statistics.median(t["docker"])
        print(f"  {name:<12} {local:8.1f} {docker:8.1f} {docker - local:+9.1f}")
    print("  target: overhead <= 5 s per task")


if __name__ == "__main__":
    main()
