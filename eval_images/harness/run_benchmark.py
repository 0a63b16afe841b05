"""Evaluate one model on one benchmark with lm-evaluation-harness and write the results contract.

This is the entry point of the harness image and of the local runner. It must not import the
platform package: the only contract between the two sides is the job file it reads and the
two files it writes into the output folder.

    python run_benchmark.py --job job.json --output OUT_DIR

Writes:
- OUT_DIR/samples.jsonl: one record per item: prompt, output, target, verdict, score, metrics.
- OUT_DIR/results.json: scores with stderr, n, provenance and timings, and the job itself (the
  reproducibility manifest). Written last and atomically, so its presence means the
  evaluation finished.

A benchmark is one lm-eval task, or several (`benchmark.subtasks`, MMLU's subjects) whose
samples are pooled: its overall metrics are micro-averages over all samples, and each
subtask's own metrics are kept as `metric,filter|subject=NAME`. Every data file and the scorer
module are checked against the job's sha256 before the model is loaded (exit code 3 if not).

A code benchmark (`benchmark.execution`: HumanEval, MBPP) is only generated here: this process
holds the model and never runs generated code. It writes completions.jsonl and a results.json
whose execution status is "pending"; the platform scores the completions in its sandbox and
writes the final results.json and samples.jsonl (see code_tasks.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
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


HARNESS_DIR = Path(__file__).resolve().parent
if str(HARNESS_DIR) not in sys.path:  # code_tasks, also when this file is loaded by path (leaderboard.reference)
    sys.path.insert(0, str(HARNESS_DIR))
import code_tasks  # noqa: E402
from harness_progress import ProgressFile, report_progress  # noqa: E402
SCORERS_DIR = HARNESS_DIR / "scorers"
# Per-sample doc_ids of a benchmark made of subtasks: subtask index * DOC_ID_STRIDE + doc_id,
# unique across the benchmark (no MMLU subject has anywhere near this many items); the index is
# the subtask's place in the catalogue's full list, so a suite's subset keeps the same ids.
DOC_ID_STRIDE = 100_000
SUBTASK_METRIC = "{metric}|subject={subtask}"  # per-subtask metric keys in results.json


class DataIntegrityError(Exception):
    """A data file or scorer differs from what the job pinned."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _tasks(job: dict) -> list[dict]:
    """The lm-eval tasks of the job's benchmark: one, or one per subtask."""
    bench = job["benchmark"]
    if bench.get("subtasks"):
        return bench["subtasks"]
    return [{"name": None, "task_name": bench["task_name"], "task_config": bench["task_config"],
             "data_files": bench["data_files"], "data_file_sha256": bench.get("data_file_sha256") or {},
             "data_file_packages": bench.get("data_file_packages") or {}}]


def data_path(job: dict, task: dict, split: str) -> Path:
    """Where a data file is: in the job's data folder, or inside the package that ships it."""
    package = (task.get("data_file_packages") or {}).get(split)
    if package is not None:
        return code_tasks.package_file(package, task["data_files"][split])
    return Path(job["data_dir"]) / task["data_files"][split]


def verify_inputs(job: dict) -> None:
    """Check every data file and the scorer against the sha256 the job pinned, before any evaluation."""
    data_dir = Path(job["data_dir"])
    for task in _tasks(job):
        for split in task["data_files"]:
            want = task["data_file_sha256"].get(split)
            try:
                path = data_path(job, task, split)
            except FileNotFoundError as exc:
                raise DataIntegrityError(str(exc)) from None
            if not path.is_file():
                raise DataIntegrityError(f"dataset file {path} is missing")
            if want is not None and _sha256_file(path) != want:
                raise DataIntegrityError(f"dataset file {path} has sha256 {_sha256_file(path)}, expected {want}; "
                                         "refusing to evaluate on altered data")
    scorer = job["benchmark"].get("scorer")
    if scorer:
        path = SCORERS_DIR / f"{scorer['module']}.py"
        if not path.is_file() or _sha256_file(path) != scorer["sha256"]:
            raise DataIntegrityError(f"scorer {path} is missing or differs from the job's (sha256 {scorer['sha256']})")


def _write_task_yaml(job: dict, task: dict, folder: Path) -> str:
    import yaml

    bench = job["benchmark"]
    config = dict(task["task_config"])
    config["task"] = task["task_name"]
    config["dataset_path"] = bench.get("data_format") or "json"
    data_files = {split: data_path(job, task, split) for split in task["data_files"]}
    for split, path in data_files.items():
        if code_tasks.needs_item_file(bench, path):  # a selection of records, or a .gz file
            data_files[split] = folder / f"{task['task_name']}_{split}.jsonl"
            code_tasks.write_item_file(bench, path, data_files[split])
    config["dataset_kwargs"] = {
        **(bench.get("dataset_kwargs") or {}),
        "data_files": {split: str(path) for split, path in data_files.items()},
    }
    config["test_split"] = "test"
    config["metadata"] = {"version": bench["version"]}
    text = yaml.safe_dump(config, sort_keys=True)
    scorer = bench.get("scorer")
    if scorer:
        # lm-eval resolves `!function module.fn` relative to the YAML's folder: ship the module there.
        module = scorer["module"]
        shutil.copyfile(SCORERS_DIR / f"{module}.py", folder / f"{module}.py")
        text += f"process_results: !function {module}.process_results\n"
    (folder / f"{task['task_name']}.yaml").write_text(text)
    return task["task_name"]


def render_task_yamls(job: dict, folder: Path) -> list[str]:
    """Write the benchmark's lm-eval task configs (one per subtask), pointed at the job's data folder."""
    return [_write_task_yaml(job, task, folder) for task in _tasks(job)]


def render_task_yaml(job: dict, folder: Path) -> str:
    """Write a single-task benchmark's lm-eval task config; returns the task name."""
    names = render_task_yamls(job, folder)
    if len(names) != 1:
        raise ValueError(f"benchmark {job['benchmark']['name']} has {len(names)} subtasks: use render_task_yamls")
    return names[0]


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


def sample_records(samples: list[dict], output_type: str, primary_metric: str, tokenizer,
                   doc_id_offset: int = 0) -> tuple[list[dict], int]:
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
            "doc_id": doc_id_offset + doc_id,
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


def environment_lock_sha256() -> str:
    """Hash of every installed distribution and its version: the local stand-in for an image digest."""
    from importlib.metadata import distributions

    pins = sorted({f"{d.metadata['Name'].lower()}=={d.version}" for d in distributions() if d.metadata["Name"]})
    return hashlib.sha256("\n".join(pins).encode()).hexdigest()


def job_manifest(job: dict) -> dict:
    """The job as asked, without machine-specific paths: enough to run the same evaluation again."""
    manifest = {k: v for k, v in job.items() if k not in ("data_dir", "environment")}
    manifest["model"] = {k: v for k, v in job["model"].items() if k != "path"}
    return manifest


def metrics_of(task_results: dict, suffix=None) -> dict:
    """lm-eval's `metric,filter` values with their `_stderr` twins, as {key: {value, stderr}}."""
    metrics = {}
    for key, value in task_results.items():
        if "," not in key or "_stderr," in key or not isinstance(value, (int, float)):
            continue
        name, flt = key.split(",", 1)
        stderr = task_results.get(f"{name}_stderr,{flt}")
        metrics[key if suffix is None else suffix(key)] = {
            "value": float(value), "stderr": float(stderr) if isinstance(stderr, (int, float)) else None}
    return metrics


def micro_average(records: list[dict]) -> dict:
    """Every per-sample metric averaged over all samples, with the standard error of that mean."""
    keys = sorted({k for r in records for k in r["metrics"]})
    metrics = {}
    for key in keys:
        values = [r["metrics"][key] for r in records if key in r["metrics"]]
        n = len(values)
        mean = sum(values) / n
        stderr = (sum((v - mean) ** 2 for v in values) / (n - 1) / n) ** 0.5 if n > 1 else None
        metrics[key] = {"value": mean, "stderr": stderr}
    return metrics


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

    progress = ProgressFile(output_dir, int(job["benchmark"]["expected_samples"]))
    progress.update(phase="loading model", force=True)
    report_progress(progress)
    t_load = time.perf_counter()
    lm = HFLM(pretrained=job["model"]["path"], device=device, dtype=dtype,
              batch_size=runtime["batch_size"], trust_remote_code=False)
    load_seconds = time.perf_counter() - t_load

    bench = job["benchmark"]
    tasks = _tasks(job)
    with tempfile.TemporaryDirectory() as task_dir:
        task_names = render_task_yamls(job, Path(task_dir))
        task_manager = TaskManager(include_path=task_dir, include_defaults=False)
        t_eval = time.perf_counter()
        out = simple_evaluate(
            model=lm, tasks=task_names, task_manager=task_manager, limit=bench["limit"],
            log_samples=True, random_seed=seed, numpy_random_seed=seed,
            torch_random_seed=seed, fewshot_random_seed=seed,
        )
        eval_seconds = time.perf_counter() - t_eval
    progress.update(phase="writing results", fraction=1.0, force=True)

    if bench.get("execution"):
        return _generation_document(job, out, lm, output_dir, started_at, t0, load_seconds, eval_seconds,
                                    device, dtype, seed)
    records, generated_tokens = [], 0
    for index, task in enumerate(tasks):
        # a subtask's doc_ids: its place in the benchmark's full subtask list, so a subset keeps them
        offset = task.get("index", index) * DOC_ID_STRIDE if task["name"] is not None else 0
        task_records, tokens = sample_records(
            out["samples"][task["task_name"]], task["task_config"]["output_type"], bench["primary_metric"],
            lm.tokenizer, doc_id_offset=offset)
        records += task_records
        generated_tokens += tokens
    if len(tasks) == 1 and tasks[0]["name"] is None:
        metrics = metrics_of(out["results"][tasks[0]["task_name"]])
    else:
        # A benchmark of subtasks: the overall metrics are micro-averages over every sample (so
        # the primary metric is the mean of the per-sample scores); each subtask's own lm-eval
        # metrics are kept beside them.
        metrics = micro_average(records)
        for task in tasks:
            metrics.update(metrics_of(out["results"][task["task_name"]],
                                      lambda key, t=task: SUBTASK_METRIC.format(metric=key, subtask=t["name"])))

    samples_path = output_dir / "samples.jsonl"
    with samples_path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    samples_sha256 = hashlib.sha256(samples_path.read_bytes()).hexdigest()

    return {
        **_document(job, metrics, len(records), device, dtype, seed, started_at, t0, load_seconds, eval_seconds,
                    generated_tokens),
        "samples_file": samples_path.name,
        "samples_sha256": samples_sha256,
    }


def _generation_document(job: dict, out: dict, lm, output_dir: Path, started_at: str, t0: float,
                         load_seconds: float, eval_seconds: float, device: str, dtype: str, seed: int) -> dict:
    """A code benchmark's output: its completions and a results document awaiting execution."""
    bench = job["benchmark"]
    records, generated_tokens = code_tasks.completion_records(out["samples"][bench["task_name"]], bench, lm.tokenizer)
    execution = code_tasks.write_completions(records, output_dir)
    metrics = metrics_of(out["results"][bench["task_name"]])
    document = _document(job, metrics, len(records), device, dtype, seed, started_at, t0, load_seconds,
                         eval_seconds, generated_tokens)
    return {**document, "execution": execution}


def _document(job: dict, metrics: dict, n_samples: int, device: str, dtype: str, seed: int, started_at: str,
              t0: float, load_seconds: float, eval_seconds: float, generated_tokens: int) -> dict:
    import torch

    bench, runtime = job["benchmark"], job["runtime"]
    tasks = _tasks(job)
    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "job_id": job["job_id"],
        "model": {"id": job["model"]["id"], "revision": job["model"]["revision"], "dtype": dtype},
        "benchmark": {
            "name": bench["name"], "version": bench["version"],
            "task_config_sha256": bench["task_config_sha256"],
            "dataset_sha256": bench["dataset_sha256"],
            "num_fewshot": int(bench["task_config"].get("num_fewshot") or 0),
            "fewshot_seed": seed,
            "limit": bench["limit"],
            "task_name": bench["task_name"],
            "subtasks": [t["name"] for t in tasks if t["name"] is not None],
            "scorer": bench.get("scorer"),
        },
        "suite": job["suite"],
        "primary_metric": bench["primary_metric"],
        "metrics": metrics,
        "n_samples": n_samples,
        "versions": {
            "lm_eval": package_version("lm_eval"),
            "transformers": package_version("transformers"),
            "torch": package_version("torch"),
            "python": platform.python_version(),
        },
        "runtime": {
            "device": device, "hardware": hardware_description(device),
            "batch_size": runtime["batch_size"], "seed": seed,
            "threads": torch.get_num_threads(),
            "environment": {
                **job.get("environment", {}),
                "image_digest": os.environ.get("LEADERBOARD_IMAGE_DIGEST"),  # set by image runners
                "env_lock_sha256": environment_lock_sha256(),
            },
        },
        "timings": {
            "started_at": started_at, "finished_at": utc_now(),
            "model_load_seconds": round(load_seconds, 3),
            "eval_seconds": round(eval_seconds, 3),
            "wall_seconds": round(time.perf_counter() - t0, 3),
            "generated_tokens": generated_tokens,
        },
        # The job itself, so `leaderboard reproduce` can run exactly this evaluation again.
        "job": job_manifest(job),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Run one benchmark for one model.")
    parser.add_argument("--job", type=Path, required=True, help="job spec (JSON)")
    parser.add_argument("--output", type=Path, required=True, help="folder for the results")
    args = parser.parse_args()
    job = json.loads(args.job.read_text())
    args.output.mkdir(parents=True, exist_ok=True)
    try:
        verify_inputs(job)
    except DataIntegrityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    results = evaluate(job, args.output)
    write_json_atomic(args.output / "results.json", results)
    print(json.dumps({"results": str(args.output / "results.json"),
                      "metrics": results["metrics"]}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
