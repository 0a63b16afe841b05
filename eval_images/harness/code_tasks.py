"""The generation phase of the code benchmarks (HumanEval, MBPP), harness side.

The harness only generates: it writes every completion to completions.jsonl and a results.json
whose `execution.status` is "pending". The platform then runs the completions in the sandbox
(leaderboard.code_scoring), outside this process, and replaces results.json and samples.jsonl
with the scored ones. Nothing here executes generated code.

Also: benchmarks whose items are a selection of their data file (`benchmark.items`: MBPP's
test split is task ids 11..510) or whose file is gzip-compressed (HumanEval ships as
HumanEval.jsonl.gz) get their items written as plain JSON lines next to the task YAML, in
order, so lm-eval's doc ids are the platform's item indices.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
from pathlib import Path

COMPLETIONS_FILE = "completions.jsonl"


def package_file(package: str, relative: str) -> Path:
    """A data file shipped inside an installed package (located without importing it)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the package {package!r} that ships {relative} is not installed")
    return Path(spec.submodule_search_locations[0]) / relative


def read_records(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def selects(items: dict, record: dict) -> bool:
    """The platform's ItemSelection.selects, on the job's plain-dict copy of it."""
    key = record[items["key"]]
    if items.get("first") is not None and not items["first"] <= key <= items["last"]:
        return False
    return key not in items.get("exclude", [])


def needs_item_file(bench: dict, path: Path) -> bool:
    return bench.get("items") is not None or path.suffix == ".gz"


def write_item_file(bench: dict, source: Path, target: Path) -> int:
    """Write the benchmark's items (selected records, in file order) as plain JSON lines."""
    records = read_records(source)
    if bench.get("items") is not None:
        records = [r for r in records if selects(bench["items"], r)]
    with target.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


def completion_records(samples: list[dict], bench: dict, tokenizer) -> tuple[list[dict], int]:
    """One record per item with all its completions (lm-eval `repeats`), in doc_id order."""
    key = (bench.get("items") or {}).get("key")
    records, generated_tokens = [], 0
    for sample in sorted(samples, key=lambda s: int(s["doc_id"])):
        completions = [str(c) for c in sample["resps"][0]]
        generated_tokens += sum(len(tokenizer(c, add_special_tokens=False)["input_ids"]) for c in completions)
        records.append({
            "doc_id": int(sample["doc_id"]),
            "item_id": None if key is None else str(sample["doc"][key]),
            "prompt": sample["arguments"][0][0],
            "completions": completions,
            "target": str(sample["target"]),
            "metrics": {f"{m},{sample['filter']}": float(sample[m]) for m in sample["metrics"]},
        })
    return records, generated_tokens


def write_completions(records: list[dict], output_dir: Path) -> dict:
    """Write completions.jsonl; returns the results document's pending `execution` block."""
    path = output_dir / COMPLETIONS_FILE
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return {"status": "pending", "completions_file": COMPLETIONS_FILE,
            "completions_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
