"""Re-run one stored evaluation exactly and say whether it gives the identical score.

A result's document (results.json, kept in the warehouse and the published snapshot) is its
reproducibility manifest: it holds the job that produced it (model id and pinned revision,
task configs, data files with their sha256, item subset, few-shot count, seed, dtype, batch
size, device) and the environment it ran in (harness fingerprint, environment lock hash or
image digest, lm-eval, transformers and torch versions, hardware). `reproduce` rebuilds that
job, checks the model and the data are still the ones it names, runs it with the local runner
into a scratch folder and compares the primary score and every per-sample score."""

from __future__ import annotations

import copy
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from leaderboard.catalogue import DatasetFile, load_catalogue
from leaderboard.errors import DatasetIntegrityError, LeaderboardError
from leaderboard.hashing import sha256_file
from leaderboard.model_source import model_source_for
from leaderboard.results import validate_result
from leaderboard.runners import Runner, harness_fingerprint, runner_for
from leaderboard.settings import Settings, load_settings
from leaderboard.warehouse import read_only

DOCUMENT_SQL = "SELECT document FROM results WHERE result_id = ?"
SAMPLES_SQL = "SELECT doc_id, score FROM samples WHERE result_id = ? ORDER BY doc_id"


class ReproductionError(LeaderboardError):
    """The result cannot be re-run: unknown id, model or data changed, manifest incomplete."""


@dataclass(frozen=True)
class StoredResult:
    result_id: str
    document: dict
    scores: dict[int, float]  # doc_id -> per-sample score
    source: str  # "warehouse" or "published snapshot"


@dataclass
class Reproduction:
    result_id: str
    source: str
    metric: str
    original: float
    reproduced: float
    n_samples: int
    differing_samples: list[tuple[int, float | None, float | None]] = field(default_factory=list)
    environment_changes: list[str] = field(default_factory=list)
    output_dir: Path | None = None

    @property
    def identical(self) -> bool:
        return self.original == self.reproduced and not self.differing_samples

    def report(self) -> str:
        lines = [f"result {self.result_id} (from the {self.source}): {self.metric}"]
        if self.identical:
            lines.append(f"identical: {self.reproduced!r} on all {self.n_samples} samples")
        else:
            lines.append(f"DIFFERENT: stored {self.original!r}, reproduced {self.reproduced!r}; "
                         f"{len(self.differing_samples)} of {self.n_samples} samples differ")
            for doc_id, old, new in self.differing_samples[:20]:
                lines.append(f"  doc {doc_id}: stored {old}, reproduced {new}")
        for change in self.environment_changes:
            lines.append(f"note: {change}")
        return "\n".join(lines)


def _lookup(path: Path, result_id: str) -> tuple[dict, dict[int, float]] | None:
    with read_only(path) as con:
        row = con.execute(DOCUMENT_SQL, [result_id]).fetchone()
        if row is None:
            return None
        document = row[0] if isinstance(row[0], dict) else json.loads(row[0])
        scores = {int(d): float(s) for d, s in con.execute(SAMPLES_SQL, [result_id]).fetchall()}
    return document, scores


def load_stored_result(result_id: str, settings: Settings) -> StoredResult:
    """From the warehouse, opened read-only, when no writer holds it; else from the published snapshot."""
    places = [("warehouse", settings.warehouse_path), ("published snapshot", settings.published_path)]
    reasons = []
    for source, path in places:
        if not path.is_file():
            reasons.append(f"no {source} at {path}")
            continue
        try:
            found = _lookup(path, result_id)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:  # a writer holds it: use the snapshot
            reasons.append(f"{source} busy ({str(exc).splitlines()[0]})")
            continue
        if found is not None:
            return StoredResult(result_id, found[0], found[1], source)
        reasons.append(f"not in the {source}")
    raise ReproductionError(f"result {result_id!r} not found: {'; '.join(reasons)}")


def job_from_document(document: dict, settings: Settings) -> dict:
    """The job that produced the result. Results written before the manifest carried its job are
    rebuilt from the catalogue, but only while the benchmark's config is still the one they used."""
    if "job" in document:
        return copy.deepcopy(document["job"])
    bench = document["benchmark"]
    current = load_catalogue().benchmark(bench["name"])
    if (current.version, current.task_config_sha256) != (bench["version"], bench["task_config_sha256"]):
        raise ReproductionError(
            f"result predates job manifests and benchmark {bench['name']} has changed since "
            f"(v{bench['version']} -> v{current.version}); it cannot be re-run exactly")
    spec = current.job_spec(bench["limit"], settings.benchmarks_dir)
    runtime = document["runtime"]
    return {"job_id": document["job_id"], "model": {"id": document["model"]["id"], "revision": document["model"]["revision"]},
            "benchmark": spec, "suite": dict(document["suite"]),
            "runtime": {"device": runtime["device"], "dtype": document["model"]["dtype"],
                        "batch_size": runtime["batch_size"], "seed": runtime["seed"]}}


def verify_job_data(job: dict, data_dir: Path) -> None:
    """Every data file of the job must still have the sha256 the job pinned."""
    bench = job["benchmark"]
    tasks = bench.get("subtasks") or [{"data_files": bench["data_files"], "data_file_sha256": bench.get("data_file_sha256") or {},
                                       "data_file_packages": bench.get("data_file_packages") or {}}]
    for task in tasks:
        for split, rel in task["data_files"].items():
            # a file shipped inside a package (HumanEval) is found there, else in the data folder
            path = DatasetFile(split, rel, "", (task.get("data_file_packages") or {}).get(split)).locate(data_dir)
            want = task["data_file_sha256"].get(split)
            if not path.is_file():
                raise DatasetIntegrityError(f"dataset file {path} is missing")
            if want is not None and sha256_file(path) != want:
                raise DatasetIntegrityError(f"dataset file {path} has changed since the result (sha256 {want} expected)")


def _environment_changes(old: dict, new: dict) -> list[str]:
    changes = []
    for name in sorted(set(old["versions"]) | set(new["versions"])):
        if old["versions"].get(name) != new["versions"].get(name):
            changes.append(f"{name} {old['versions'].get(name)} -> {new['versions'].get(name)}")
    old_env, new_env = old["runtime"].get("environment") or {}, new["runtime"].get("environment") or {}
    for key in ("harness", "env_lock_sha256", "image_digest"):
        if old_env.get(key) != new_env.get(key):
            changes.append(f"{key} {old_env.get(key)} -> {new_env.get(key)}")
    if old["runtime"].get("hardware") != new["runtime"].get("hardware"):
        changes.append(f"hardware {old['runtime'].get('hardware')} -> {new['runtime'].get('hardware')}")
    return changes


def reproduce(result_id: str, settings: Settings | None = None, output_dir: Path | None = None,
              runner: Runner | None = None) -> Reproduction:
    """Re-run the stored result's job and compare. output_dir keeps the new results (else a temp dir)."""
    settings = settings or load_settings()
    stored = load_stored_result(result_id, settings)
    job = job_from_document(stored.document, settings)
    resolved = model_source_for(settings).resolve(job["model"]["id"], job["model"]["revision"])
    if resolved.info.revision != job["model"]["revision"]:
        raise ReproductionError(f"model {job['model']['id']} resolves to {resolved.info.revision}, "
                                f"the result was evaluated at {job['model']['revision']}")
    verify_job_data(job, settings.benchmarks_dir)
    with tempfile.TemporaryDirectory(prefix="reproduce-") as scratch:
        out = output_dir or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        (runner or runner_for(settings)).run(job, resolved.path, out)
        if job["benchmark"].get("execution"):  # a code benchmark: its completions run in the sandbox
            from leaderboard.code_scoring import score_completions

            score_completions(out, job, settings.benchmarks_dir)
        result = validate_result(out, job)
    metric = stored.document["primary_metric"]
    new_scores = {int(s["doc_id"]): float(s["score"]) for s in result.samples}
    differing = [(doc_id, stored.scores.get(doc_id), new_scores.get(doc_id))
                 for doc_id in sorted(set(stored.scores) | set(new_scores))
                 if stored.scores.get(doc_id) != new_scores.get(doc_id)]
    changes = _environment_changes(stored.document, result.document)
    if harness_fingerprint() != (stored.document["runtime"].get("environment") or {}).get("harness"):
        changes = changes or [f"harness fingerprint is now {harness_fingerprint()}"]
    return Reproduction(
        result_id=result_id, source=stored.source, metric=metric,
        original=float(stored.document["metrics"][metric]["value"]), reproduced=float(result.primary["value"]),
        n_samples=len(new_scores), differing_samples=differing, environment_changes=changes, output_dir=output_dir)
