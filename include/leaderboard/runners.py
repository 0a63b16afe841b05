"""Runners start the harness entry point for one job. Every runner runs the same entry point
(eval_images/harness/run_benchmark.py) with the same arguments: a job file and an output folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from leaderboard.errors import EvaluationFailed
from leaderboard.hashing import sha256_json
from leaderboard.settings import REPO_ROOT, Settings

HARNESS_DIR = REPO_ROOT / "eval_images" / "harness"
LOG_TAIL_CHARS = 2000


def harness_files() -> list[Path]:
    """What the harness image is built from: Dockerfile, pinned requirements and its code."""
    return sorted(p for p in HARNESS_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and "tests" not in p.relative_to(HARNESS_DIR).parts and p.suffix in {"", ".py", ".txt", ".yaml"})


def harness_fingerprint() -> str:
    """Identifies the harness (image or local eval env): a hash of the files it is built from."""
    return sha256_json({str(p.relative_to(HARNESS_DIR)): p.read_text() for p in harness_files()})[:16]


def harness_image() -> str:
    """The harness image tag for this code: built by scripts/build_images.sh."""
    return os.environ.get("LEADERBOARD_HARNESS_IMAGE") or f"leaderboard/harness:{harness_fingerprint()}"


def log_tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    if not path.is_file():
        return ""
    text = path.read_text(errors="replace")
    return text[-chars:].strip()


def write_job_file(job: dict, model_path: str, data_dir: str, output_dir: Path, environment: dict) -> Path:
    """The job as the harness sees it: paths where the harness finds the model and the data."""
    job = {**job, "model": {**job["model"], "path": model_path}, "data_dir": data_dir,
           "environment": {**environment, "harness": harness_fingerprint()}}
    path = output_dir / "job.json"
    path.write_text(json.dumps(job, indent=1, sort_keys=True))
    return path


def offline_env(home: Path, hf_home: Path) -> dict[str, str]:
    """The environment of an eval-env process: no Hub, no telemetry, nothing from ours but PATH."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "HF_HOME": str(hf_home),
        "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1",
    }


class Runner(Protocol):
    name: str

    def run(self, job: dict, model_path: Path, output_dir: Path) -> None:
        """Evaluate the job into output_dir (results.json, samples.jsonl), or raise EvaluationFailed."""


class LocalRunner:
    """Runs the harness as a subprocess of the eval environment on this machine."""

    name = "local"

    def __init__(self, settings: Settings):
        self.settings = settings

    def run(self, job: dict, model_path: Path, output_dir: Path) -> None:
        python = self.settings.eval_python
        if not python.is_file():
            raise EvaluationFailed(f"eval environment not found: {python} (run `make setup`)")
        job_file = write_job_file(job, str(model_path), str(self.settings.benchmarks_dir), output_dir,
                                  {"runner": self.name})
        log_path = output_dir / "harness.log"
        env = offline_env(output_dir, self.settings.home / "cache" / "huggingface")
        timeout = self.settings.benchmark_timeout_s
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [str(python), str(self.settings.harness_entrypoint), "--job", str(job_file), "--output", str(output_dir)],
                stdout=log, stderr=subprocess.STDOUT, cwd=output_dir, env=env, start_new_session=True)
            try:
                with _terminate_with_task(proc):
                    code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise EvaluationFailed(f"timeout: the harness ran longer than {timeout} s and was killed") from None
            except BaseException:  # the task itself was killed or interrupted: take the harness down too
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise
        if code != 0:
            reason = "killed (out of memory?)" if code in (-9, 137) else f"exited with code {code}"
            raise EvaluationFailed(f"the harness {reason}; log tail:\n{log_tail(log_path)}")
        if not (output_dir / "results.json").is_file():
            raise EvaluationFailed(f"the harness exited 0 but wrote no results.json; log tail:\n{log_tail(log_path)}")


class TaskTerminated(EvaluationFailed):
    """The task was told to stop (SIGTERM: its run was marked failed or timed out, or it was cleared)."""


@contextmanager
def _terminate_with_task(proc: subprocess.Popen):
    """While the harness runs: on SIGTERM (Airflow's supervisor stops the task with it, then SIGKILL
    5 s later) kill the harness's process group and stop waiting. The harness runs in a session of
    its own, so nothing else would reach it: it would outlive the task. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if callable(previous):
            previous(signum, frame)
        raise TaskTerminated("stopped: the task was terminated (SIGTERM) while the harness ran")

    signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


RUNNERS = ("local", "docker")


def runner_for(settings: Settings) -> Runner:
    """The runner for plain tasks. The docker runner is an operator (leaderboard.docker_runner)."""
    if settings.runner == "local":
        return LocalRunner(settings)
    raise EvaluationFailed(f"runner {settings.runner!r} is not run from a plain task; known runners: {list(RUNNERS)}")
