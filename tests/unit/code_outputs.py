"""Generation-phase outputs of the code benchmarks, written by the harness's own code_tasks module
(stdlib only, so the platform's tests can import it) in the exact shape the harness writes them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from builders import FINISHED_AT, SHARED_BENCHMARKS, make_job
from leaderboard.catalogue import load_catalogue
from leaderboard.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "eval_images" / "harness"))
import code_tasks  # noqa: E402  (eval_images/harness/code_tasks.py)


def word_tokenizer(text: str, add_special_tokens: bool = False) -> dict:
    """Counts generated tokens as words; the harness passes the model's tokenizer."""
    return {"input_ids": text.split()}


def code_job(settings, benchmark: str, limit: int, *, samples: int = 1, temperature: float = 0.0) -> dict:
    """The job of a code benchmark over its first `limit` items, optionally with n samples."""
    job = make_job(settings, benchmark, suite="smoke")
    bench = load_catalogue().benchmark(benchmark)
    job["benchmark"]["limit"] = limit
    job["benchmark"]["expected_samples"] = limit
    job["benchmark"]["execution"].update(samples=samples, temperature=temperature)
    assert bench.execution is not None
    return job


def items(benchmark: str) -> list[dict]:
    return load_catalogue().benchmark(benchmark).load_items(SHARED_BENCHMARKS)


def write_generation(out: Path, job: dict, completions: list[list[str]]) -> dict:
    """completions.jsonl (through code_tasks.completion_records, fed lm-eval-shaped samples) and
    the pending results.json; completions[i] are item i's completions."""
    bench = job["benchmark"]
    docs = items(bench["name"])
    lm_eval_samples = [
        {"doc_id": i, "doc": docs[i], "arguments": [[f"prompt of item {i}", {}]], "resps": [texts],
         "target": f"tests of item {i}", "filter": "none", "metrics": ["parses"], "parses": 1.0}
        for i, texts in enumerate(completions)]
    records, tokens = code_tasks.completion_records(lm_eval_samples, bench, word_tokenizer)
    out.mkdir(parents=True, exist_ok=True)
    execution = code_tasks.write_completions(records, out)
    doc = {
        "schema_version": 1, "job_id": job["job_id"],
        "model": {"id": job["model"]["id"], "revision": job["model"]["revision"], "dtype": "float32"},
        "benchmark": {"name": bench["name"], "version": bench["version"],
                      "task_config_sha256": bench["task_config_sha256"], "dataset_sha256": bench["dataset_sha256"],
                      "num_fewshot": int(bench["task_config"].get("num_fewshot") or 0), "limit": bench["limit"]},
        "suite": dict(job["suite"]), "primary_metric": bench["primary_metric"],
        "metrics": {"parses,none": {"value": 1.0, "stderr": 0.0}},
        "n_samples": len(records),
        "versions": {"lm_eval": "0.4.13", "transformers": "5.24.0", "torch": "2.13.0", "python": "3.11.0"},
        "runtime": {"device": "cpu", "hardware": "test CPU", "batch_size": 1, "seed": 1234, "environment": {}},
        "timings": {"started_at": FINISHED_AT, "finished_at": FINISHED_AT, "model_load_seconds": 0.1,
                    "eval_seconds": 0.2, "wall_seconds": 0.3, "generated_tokens": tokens},
        "execution": execution,
    }
    (out / "results.json").write_text(json.dumps(doc, sort_keys=True))
    return doc
