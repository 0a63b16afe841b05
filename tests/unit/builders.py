"""Builders shared by the unit tests: fake model repos, settings, jobs and harness outputs.

Everything is real: real catalogue, real DuckDB files under tmp_path, results written in the
exact shape eval_images/harness/run_benchmark.py writes them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from leaderboard.catalogue import load_catalogue
from leaderboard.model_source import ModelInfo
from leaderboard.pipeline import build_job
from leaderboard.results import validate_result
from leaderboard.runners import harness_fingerprint
from leaderboard.settings import REPO_ROOT, Settings, load_docker_settings, load_settings
from tests.helpers import safetensors_bytes

SHARED_BENCHMARKS = load_settings().benchmarks_dir  # ../shared/benchmarks, or LEADERBOARD_BENCHMARKS_DIR
FINISHED_AT = "2025-01-01T00:00:00+00:00"


# --- model repos -------------------------------------------------------------------------

def write_safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]]) -> None:
    path.write_bytes(safetensors_bytes(tensors))


def write_model(root: Path, model_id: str = "org/model", *, config: dict | bool | None = None,
                weights: str = "safetensors", license: str | None = "apache-2.0") -> Path:
    folder = root / model_id
    folder.mkdir(parents=True)
    if config is not False:
        config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"} if config is None else config
        (folder / "config.json").write_text(json.dumps(config))
    if weights == "safetensors":
        write_safetensors(folder / "model.safetensors", {"w": ("BF16", [2, 3])})
    elif weights == "bin":
        (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    if license:
        (folder / "README.md").write_text(f"---\nlicense: {license}\n---\n# {model_id}\n")
    return folder


def model_info(model_id: str = "org/model", revision: str = "rev-1") -> ModelInfo:
    return ModelInfo(model_id=model_id, revision=revision, source="local", architecture="LlamaForCausalLM",
                     parameters=6, precision="bfloat16", license="apache-2.0", base_model=None)


# --- settings and jobs -------------------------------------------------------------------

def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home", benchmarks_dir=SHARED_BENCHMARKS, models_dir=tmp_path / "models",
        runner="local", eval_python=tmp_path / "no-eval-python",
        harness_entrypoint=REPO_ROOT / "eval_images" / "harness" / "run_benchmark.py",
        device="cpu", batch_size=1, benchmark_timeout_s=30, retry_delay_s=1, docker=load_docker_settings(),
    )


def make_job(settings: Settings, benchmark: str = "arc_easy", *, suite: str = "ci",
             model_id: str = "org/model", revision: str = "rev-1", run_id: str = "run-1") -> dict:
    s = load_catalogue().suite(suite)
    entry = s.entry(benchmark)
    return build_job(run_id, model_info(model_id, revision), s, s.version(harness_fingerprint()),
                     entry, settings, entry.benchmark.count_items(SHARED_BENCHMARKS))


# --- harness outputs ---------------------------------------------------------------------

def make_samples(scores: list[float]) -> list[dict]:
    return [{"doc_id": i, "prompt": f"Question {i}\nAnswer:", "output": f"out {i}", "extracted": None,
             "target": f"target {i}", "score": float(s), "verdict": "correct" if s >= 1.0 else "incorrect",
             "metrics": {"acc,none": float(s)}}
            for i, s in enumerate(scores)]


def write_result(out: Path, job: dict, scores: list[float] | None = None, *, samples: list[dict] | None = None,
                 samples_text: str | None = None, value: float | None = None, stderr: float | None = 0.05,
                 finished_at: str = FINISHED_AT, edit=None, fit_job: bool = True) -> dict:
    """Write samples.jsonl and results.json as the harness does; `edit(doc)` tampers before writing.

    fit_job sets the job's expected sample count to what is written, as a job for that item
    subset would have it.
    samples_text writes samples.jsonl verbatim (one record a line; give `value` with it)."""
    samples = make_samples(scores if scores is not None else [1, 0, 1, 1]) if samples is None else samples
    if samples_text is None:
        samples_text = "".join(json.dumps(s, sort_keys=True) + "\n" for s in samples)
    out.mkdir(parents=True, exist_ok=True)
    samples_path = out / "samples.jsonl"
    samples_path.write_text(samples_text, encoding="utf-8")
    bench = job["benchmark"]
    if fit_job:
        bench["expected_samples"] = samples_text.count("\n")
    if value is None:
        value = sum(s["score"] for s in samples) / len(samples)
    doc = {
        "schema_version": 1,
        "job_id": job["job_id"],
        "model": {"id": job["model"]["id"], "revision": job["model"]["revision"], "dtype": "float32"},
        "benchmark": {"name": bench["name"], "version": bench["version"],
                      "task_config_sha256": bench["task_config_sha256"], "dataset_sha256": bench["dataset_sha256"],
                      "num_fewshot": int(bench["task_config"].get("num_fewshot") or 0), "limit": bench["limit"]},
        "suite": dict(job["suite"]),
        "primary_metric": bench["primary_metric"],
        "metrics": {bench["primary_metric"]: {"value": value, "stderr": stderr}},
        "n_samples": samples_text.count("\n"),
        "samples_file": "samples.jsonl",
        "samples_sha256": hashlib.sha256(samples_path.read_bytes()).hexdigest(),
        "versions": {"lm_eval": "0.4.9", "transformers": "4.57.0", "torch": "2.8.0", "python": "3.11.0"},
        "runtime": {"device": "cpu", "hardware": "test CPU", "batch_size": 1, "seed": 1234, "environment": {}},
        "timings": {"started_at": FINISHED_AT, "finished_at": finished_at, "model_load_seconds": 0.1,
                    "eval_seconds": 0.2, "wall_seconds": 0.3, "generated_tokens": 0},
    }
    if edit is not None:
        edit(doc)
    (out / "results.json").write_text(json.dumps(doc, sort_keys=True))
    return doc


def valid_result(out: Path, job: dict, scores: list[float], stderr: float | None = 0.05,
                 finished_at: str = FINISHED_AT):
    """A result that went through the real validator, ready for warehouse.upsert_result."""
    write_result(out, job, scores, stderr=stderr, finished_at=finished_at)
    return validate_result(out, job)
