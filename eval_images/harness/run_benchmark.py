"""Evaluate one model on one benchmark with lm-evaluation-harness and write the results contract.

This is the entry point of the harness image and of the local runner. It must not import the
platform package: the only contract between the two sides is the job file it reads and the
two files it writes into the output folder.

    python run_benchmark.py --job job.json --output OUT_DIR

Writes:
- OUT_DIR/samples.jsonl: one record per item: prompt, output, target, verdict, score, metrics.
- OUT_DIR/results.json: scores with stderr, n, provenance and timings. Written last and
  atomically, so its presence means the evaluation finished.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS_SCHEMA_VERSION = 1


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_json_atomic(path: Path, document: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False))
    os.replace(tmp, path)


def render_task_yaml(job: dict, folder: Path) -> str:
    """Write the benchmark's lm-eval task config, pointed at the job's data folder."""
    import yaml

    bench = job["benchmark"]
    config = dict(bench["task_config"])
    config["task"] = bench["task_name"]
    config["dataset_path"] = "json"
    config["dataset_kwargs"] = {
        "data_files": {split: str(Path(job["data_dir"]) / rel) for split, rel in bench["data_files"].items()}
    }
    config["test_split"] = "test"
    config["metadata"] = {"version": bench["version"]}
    (folder / f"{bench['task_name']}.yaml").write_text(yaml.safe_dump(config, sort_keys=True))
    return bench["task_name"]


def choice_texts(sample: dict) -> list[str]:
    # multiple_choice requests are (context, " " + choice) pairs, one per choice.
    return [args[1] for args in sample["arguments"]]


def sample_output(sample: dict, output_type: str, primary_metric_name: str) -> str:
    """What the model answered, in words: the generation, or the choice it ranked first."""
    if output_type == "generate_until":
        return str(sample["resps"][0][0])
    choices = choice_texts(sample)
    logliks = [float(resp[0]) for resp in sample["filtered_resps"]]
    if primary_metric_name == "acc_norm":
        scores = [ll / max(len(c.strip()), 1) for ll, c in zip(logliks, choices)]
    else:
        scores = logliks
    best = max(range(len(scores)), key=scores.__getitem__)
    return choices[best].strip()


def sample_target(sample: dict, output_type: str) -> str:
    target = sample["target"]
    if output_type == "multiple_choice" and isinstance(target, int):
        return choice_texts(sample)[target].strip()
    return str(target)


def sample_records(samples: list[dict], output_type: str, primary_metric: str, tokenizer) -> tuple[list[dict], int]:
    """One record per item, judged by the primary metric's filter; other filters become extra metrics."""
    metric_name, filter_name = primary_metric.split(",", 1)
    by_doc: dict[int, dict] = {}
    extra: dict[int, dict] = {}
    for sample in samples:
        doc_id = int(sample["doc_id"])
        values = {f"{m},{sample['filter']}": float(sample[m]) for m in sample["metrics"]}
        extra.setdefault(doc_id, {}).update(values)
        if sample["filter"] == filter_name:
            by_doc[doc_id] = sample
    records, generated_tokens = [], 0
    for doc_id in sorted(by_doc):
        sample = by_doc[doc_id]
        score = float(sample[metric_name])
        output = sample_output(sample, output_type, metric_name)
        if output_type == "generate_until":
            generated_tokens += len(tokenizer(output, add_special_tokens=False)["input_ids"])
        records.append({
            "doc_id": doc_id,
            "prompt": sample["arguments"][0][0],
            "output": output,
            "extracted": str(sample["filtered_resps"][0]) if output_type == "generate_until" else None,
            "target": sample_target(sample, output_type),
            "score": score,
            "verdict": "correct" if score >= 1.0 else "incorrect",
            "metrics": extra[doc_id],
        })
    return records, generated_tokens


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def hardware_description(device: str) -> str:
    import torch

    if device.startswith("cuda") and torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} x{torch.cuda.device_count()}"
    return f"{platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores"


def evaluate(job: dict, output_dir: Path) -> dict:
    started_at, t0 = utc_now(), time.perf_counter()
    import numpy as np
    import torch
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    runtime = job["runtime"]
    seed = int(runtime["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = runtime["device"]
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = runtime["dtype"]
    if dtype == "auto":
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    if runtime.get("threads"):
        torch.set_num_threads(int(runtime["threads"]))

    t_load = time.perf_counter()
    lm = HFLM(pretrained=job["model"]["path"], device=device, dtype=dtype,
              batch_size=runtime["batch_size"], trust_remote_code=False)
    load_seconds = time.perf_counter() - t_load

    bench = job["benchmark"]
    with tempfile.TemporaryDirectory() as task_dir:
        task_name = render_task_yaml(job, Path(task_dir))
        task_manager = TaskManager(include_path=task_dir, include_defaults=False)
        t_eval = time.perf_counter()
        out = simple_evaluate(
            model=lm, tasks=[task_name], task_manager=task_manager, limit=bench["limit"],
            log_samples=True, random_seed=seed, numpy_random_seed=seed,
            torch_random_seed=seed, fewshot_random_seed=seed,
        )
        eval_seconds = time.perf_counter() - t_eval

    task_results = out["results"][task_name]
    metrics = {}
    for key, value in task_results.items():
        if "," not in key or "_stderr," in key or not isinstance(value, (int, float)):
            continue
        name, flt = key.split(",", 1)
        stderr = task_results.get(f"{name}_stderr,{flt}")
        metrics[key] = {"value": float(value),
                        "stderr": float(stderr) if isinstance(stderr, (int, float)) else None}

    output_type = bench["task_config"]["output_type"]
    records, generated_tokens = sample_records(
        out["samples"][task_name], output_type, bench["primary_metric"], lm.tokenizer)
    samples_path = output_dir / "samples.jsonl"
    with samples_path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    samples_sha256 = hashlib.sha256(samples_path.read_bytes()).hexdigest()

    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "job_id": job["job_id"],
        "model": {"id": job["model"]["id"], "revision": job["model"]["revision"], "dtype": dtype},
        "benchmark": {
            "name": bench["name"], "version": bench["version"],
            "task_config_sha256": bench["task_config_sha256"],
            "dataset_sha256": bench["dataset_sha256"],
            "num_fewshot": int(bench["task_config"].get("num_fewshot") or 0),
            "limit": bench["limit"],
        },
        "suite": job["suite"],
        "primary_metric": bench["primary_metric"],
        "metrics": metrics,
        "n_samples": len(records),
        "samples_file": samples_path.name,
        "samples_sha256": samples_sha256,
        "versions": {
            "lm_eval": package_version("lm_eval"),
            "transformers": package_version("transformers"),
            "torch": package_version("torch"),
            "python": platform.python_version(),
        },
        "runtime": {
            "device": device, "hardware": hardware_description(device),
            "batch_size": runtime["batch_size"], "seed": seed,
            "environment": job.get("environment", {}),
        },
        "timings": {
            "started_at": started_at, "finished_at": utc_now(),
            "model_load_seconds": round(load_seconds, 3),
            "eval_seconds": round(eval_seconds, 3),
            "wall_seconds": round(time.perf_counter() - t0, 3),
            "generated_tokens": generated_tokens,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Run one benchmark for one model.")
    parser.add_argument("--job", type=Path, required=True, help="job spec (JSON)")
    parser.add_argument("--output", type=Path, required=True, help="folder for the results")
    args = parser.parse_args()
    job = json.loads(args.job.read_text())
    args.output.mkdir(parents=True, exist_ok=True)
    results = evaluate(job, args.output)
    write_json_atomic(args.output / "results.json", results)
    print(json.dumps({"results": str(args.output / "results.json"),
                      "metrics": results["metrics"]}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
