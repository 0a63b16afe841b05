"""Runners start the harness entry point for one job. Every runner runs the same entry point
(eval_images/harness/run_benchmark.py) with the same arguments: a job file and an output folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Protocol

from leaderboard.errors import EvaluationFailed
from leaderboard.hashing import sha256_json
from leaderboard.settings import REPO_ROOT, Settings

HARNESS_DIR = REPO_ROOT / "eval_images" / "harness"
LOG_TAIL_CHARS = 2000


def harness_fingerprint() -> str:
    """Identifies the harness: its pinned requirements and its entry point's code."""
    return sha256_json({p.name: p.read_text() for p in (HARNESS_DIR / "requirements.txt", HARNESS_DIR / "run_benchmark.py")})[:16]


def log_tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    if not path.is_file():
        return ""
    text = path.read_text(errors="replace")
    return text[-chars:].strip()


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
        job = {**job, "model": {**job["model"], "path": str(model_path)},
               "data_dir": str(self.settings.benchmarks_dir),
               "environment": {"runner": self.name, "harness": harness_fingerprint()}}
        job_file = output_dir / "job.json"
        job_file.write_text(json.dumps(job, indent=1, sort_keys=True))
        log_path = output_dir / "harness.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(output_dir),
            "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "HF_HOME": str(self.settings.home / "cache" / "huggingface"),
            "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1",
        }
        timeout = self.settings.benchmark_timeout_s
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [str(python), str(self.settings.harness_entrypoint), "--job", str(job_file), "--output", str(output_dir)],
                stdout=log, stderr=subprocess.STDOUT, cwd=output_dir, env=env, start_new_session=True)
            try:
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


def runner_for(settings: Settings) -> Runner:
    if settings.runner == "local":
        return LocalRunner(settings)
    raise EvaluationFailed(f"unknown runner {settings.runner!r}; known: ['local']")
