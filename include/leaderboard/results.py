"""The results contract, platform side: a harness output is validated before it is loaded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import jsonschema

from leaderboard.errors import InvalidResults
from leaderboard.hashing import sha256_file

SCHEMA_PATH = Path(__file__).parent / "contracts" / "results.schema.json"
VERDICTS = {"correct", "incorrect"}
EXECUTION_STATUSES = {"pass", "fail", "timeout", "error"}  # how the sandbox ended a code sample's program
SAMPLE_FIELDS = {"doc_id": int, "prompt": str, "output": str, "target": str, "score": (int, float), "verdict": str}


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()),
                                           format_checker=jsonschema.FormatChecker())


def _refuse_constant(name: str):
    raise ValueError(f"non-finite number {name} is not allowed")


def _loads(text: str):
    """json.loads that refuses NaN and ±Infinity, which Python's json accepts and JSON does not."""
    return json.loads(text, parse_constant=_refuse_constant)


@dataclass(frozen=True)
class ValidatedResult:
    document: dict
    samples: list[dict]

    @property
    def primary(self) -> dict:
        return self.document["metrics"][self.document["primary_metric"]]


def _check_execution(path: Path, line_no: int, record: dict, executed: bool) -> None:
    """Code benchmarks' samples carry the sandbox's verdict; other samples carry none."""
    status = record.get("execution_status")
    if not executed:
        if status is not None or record.get("execution_detail") is not None:
            raise InvalidResults(f"{path.name} line {line_no}: execution_status given, but the benchmark is not executed")
        return
    if status not in EXECUTION_STATUSES:
        raise InvalidResults(f"{path.name} line {line_no}: execution_status {status!r} not in {sorted(EXECUTION_STATUSES)}")
    if not isinstance(record.get("execution_detail"), str):
        raise InvalidResults(f"{path.name} line {line_no}: field 'execution_detail' missing or not a string")
    completions = record.get("completions")
    statuses = [status] if completions is None else [c.get("execution_status") for c in completions]
    if completions is not None and (statuses[0] != status or any(s not in EXECUTION_STATUSES for s in statuses)):
        raise InvalidResults(f"{path.name} line {line_no}: completions' execution statuses {statuses} are invalid "
                             f"or disagree with execution_status {status!r}")
    passed = sum(s == "pass" for s in statuses)
    if abs(record["score"] - passed / len(statuses)) > 1e-9:
        raise InvalidResults(f"{path.name} line {line_no}: score {record['score']} is not the passing fraction "
                             f"{passed}/{len(statuses)} of its executions")


def validate_samples(path: Path, expected_n: int, executed: bool = False) -> list[dict]:
    """executed: the samples of a code benchmark, each with the sandbox's execution_status."""
    samples, seen = [], set()
    try:
        # split on "\n" only: str.splitlines would also split inside strings at U+2028 and the like
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise InvalidResults(f"{path.name} is not UTF-8 ({exc})") from None
    if lines[-1] == "":
        lines.pop()
    for line_no, line in enumerate(lines, 1):
        try:
            record = _loads(line)
        except ValueError as exc:  # JSONDecodeError is a ValueError
            raise InvalidResults(f"{path.name} line {line_no}: not JSON ({exc})") from None
        if not isinstance(record, dict):
            raise InvalidResults(f"{path.name} line {line_no}: not a JSON object")
        for name, kind in SAMPLE_FIELDS.items():
            if not isinstance(record.get(name), kind):
                raise InvalidResults(f"{path.name} line {line_no}: field {name!r} missing or not {kind}")
        if record["verdict"] not in VERDICTS:
            raise InvalidResults(f"{path.name} line {line_no}: verdict {record['verdict']!r} not in {sorted(VERDICTS)}")
        if not 0.0 <= record["score"] <= 1.0:
            raise InvalidResults(f"{path.name} line {line_no}: score {record['score']} is outside [0, 1]")
        if (record["verdict"] == "correct") != (record["score"] >= 1.0):
            raise InvalidResults(f"{path.name} line {line_no}: verdict {record['verdict']!r} contradicts score {record['score']}")
        _check_execution(path, line_no, record, executed)
        if record["doc_id"] in seen:
            raise InvalidResults(f"{path.name} line {line_no}: doc_id {record['doc_id']} repeated")
        seen.add(record["doc_id"])
        samples.append(record)
    if len(samples) != expected_n:
        raise InvalidResults(f"{path.name} holds {len(samples)} samples, results.json says {expected_n}")
    return samples


def validate_result(output_dir: Path, job: dict) -> ValidatedResult:
    """Check results.json against the schema, the job it answers, and its samples file."""
    results_path = output_dir / "results.json"
    if not results_path.is_file():
        raise InvalidResults(f"{results_path} is missing")
    try:
        document = _loads(results_path.read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidResults(f"{results_path} is not JSON: {exc}") from None
    if isinstance(document, dict) and (document.get("execution") or {}).get("status") == "pending":
        raise InvalidResults("results.json holds completions that were never executed: the sandbox phase "
                             "(leaderboard.code_scoring) did not finish")
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(document)"
        raise InvalidResults(f"results.json at {where}: {first.message}")

    # jsonschema checks "format": "date-time" only when the optional rfc3339-validator is
    # installed; check here so a bad timestamp never reaches the TIMESTAMPTZ columns.
    for name in ("started_at", "finished_at"):
        value = document["timings"][name]
        try:
            aware = datetime.fromisoformat(value).tzinfo is not None
        except ValueError:
            aware = False
        if not aware:
            raise InvalidResults(f"results.json at timings/{name}: {value!r} is not a date-time with a time zone")

    expected = {
        "job_id": (document["job_id"], job["job_id"]),
        "model.id": (document["model"]["id"], job["model"]["id"]),
        "model.revision": (document["model"]["revision"], job["model"]["revision"]),
        "benchmark.name": (document["benchmark"]["name"], job["benchmark"]["name"]),
        "benchmark.version": (document["benchmark"]["version"], job["benchmark"]["version"]),
        "benchmark.task_config_sha256": (document["benchmark"]["task_config_sha256"], job["benchmark"]["task_config_sha256"]),
        "benchmark.dataset_sha256": (document["benchmark"]["dataset_sha256"], job["benchmark"]["dataset_sha256"]),
        "benchmark.limit": (document["benchmark"]["limit"], job["benchmark"]["limit"]),
        "suite.version": (document["suite"]["version"], job["suite"]["version"]),
        "primary_metric": (document["primary_metric"], job["benchmark"]["primary_metric"]),
    }
    for field, (got, want) in expected.items():
        if got != want:
            raise InvalidResults(f"results.json {field} is {got!r}, but the job asked for {want!r}")
    if document["primary_metric"] not in document["metrics"]:
        raise InvalidResults(f"results.json has no value for its primary metric {document['primary_metric']!r}")
    expected_n = job["benchmark"]["expected_samples"]
    if document["n_samples"] != expected_n:
        raise InvalidResults(f"results.json reports {document['n_samples']} samples, the job's item subset has {expected_n}")

    samples_path = output_dir / document["samples_file"]
    if not samples_path.is_file():
        raise InvalidResults(f"{samples_path} is missing")
    if sha256_file(samples_path) != document["samples_sha256"]:
        raise InvalidResults(f"{samples_path.name} does not match the samples_sha256 in results.json")
    execution = job["benchmark"].get("execution")
    if (execution is None) != (document.get("execution") is None):
        raise InvalidResults("results.json has an execution record, but the job's benchmark is not executed"
                             if execution is None else
                             f"results.json of code benchmark {job['benchmark']['name']} has no execution record")
    if execution is not None:
        missing = [f"pass@{k},none" for k in execution["pass_at_k"]
                   if k <= execution["samples"] and f"pass@{k},none" not in document["metrics"]]
        if missing or document["execution"]["samples_per_item"] != execution["samples"]:
            raise InvalidResults(f"results.json lacks {missing} or ran a different number of samples per item "
                                 f"than the job's {execution['samples']}")
        ran = document["execution"]
        if ran["programs"] != document["n_samples"] * execution["samples"] or sum(ran["statuses"].values()) != ran["programs"]:
            raise InvalidResults(f"results.json execution ran {ran['programs']} programs with statuses {ran['statuses']}, "
                                 f"expected {execution['samples']} for each of {document['n_samples']} items")
    samples = validate_samples(samples_path, document["n_samples"], executed=execution is not None)
    mean = sum(s["score"] for s in samples) / len(samples)
    if abs(mean - document["metrics"][document["primary_metric"]]["value"]) > 1e-6:
        raise InvalidResults(
            f"the mean sample score {mean:.6f} differs from the reported {document['primary_metric']} "
            f"{document['metrics'][document['primary_metric']]['value']:.6f}")
    return ValidatedResult(document, samples)
