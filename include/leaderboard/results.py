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


def validate_samples(path: Path, expected_n: int) -> list[dict]:
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
    samples = validate_samples(samples_path, document["n_samples"])
    mean = sum(s["score"] for s in samples) / len(samples)
    if abs(mean - document["metrics"][document["primary_metric"]]["value"]) > 1e-6:
        raise InvalidResults(
            f"the mean sample score {mean:.6f} differs from the reported {document['primary_metric']} "
            f"{document['metrics'][document['primary_metric']]['value']:.6f}")
    return ValidatedResult(document, samples)
