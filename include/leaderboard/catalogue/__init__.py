"""The benchmark catalogue: benchmarks and suites, declared once in benchmarks.yaml."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from leaderboard.errors import CatalogueError, DatasetIntegrityError
from leaderboard.hashing import sha256_file, sha256_json

CATALOGUE_PATH = Path(__file__).with_name("benchmarks.yaml")


@dataclass(frozen=True)
class DatasetFile:
    split: str  # the lm-eval split this file feeds ("test")
    path: str  # relative to the benchmarks data folder
    sha256: str  # pinned content hash; a mismatch aborts before evaluation


@dataclass(frozen=True)
class Benchmark:
    name: str
    version: int  # bumped on any change; each version is a separate track
    family: str  # "code", "math" or "language"
    title: str
    description: str
    license: str
    files: tuple[DatasetFile, ...]
    primary_metric: str  # lm-eval "metric,filter" key, e.g. "acc_norm,none"
    random_baseline: float  # the score of guessing; 0 for generative tasks
    task: dict[str, Any] = field(repr=False)  # lm-eval task config without name or data location

    @property
    def task_name(self) -> str:
        return f"leaderboard_{self.name}_v{self.version}"

    @property
    def output_type(self) -> str:
        return self.task["output_type"]

    @property
    def num_fewshot(self) -> int:
        return int(self.task.get("num_fewshot") or 0)

    @property
    def dataset_sha256(self) -> str:
        if len(self.files) == 1:
            return self.files[0].sha256
        return sha256_json(sorted((f.split, f.sha256) for f in self.files))

    @property
    def task_config_sha256(self) -> str:
        """Hash of everything that decides the scores, and of no machine-specific path."""
        return sha256_json({
            "name": self.name, "version": self.version, "task": self.task,
            "primary_metric": self.primary_metric,
            "files": sorted((f.split, f.sha256) for f in self.files),
        })

    def task_config(self) -> dict[str, Any]:
        return copy.deepcopy(self.task)

    def count_items(self, data_dir: Path) -> int:
        """Items in the test split (one JSON object per line)."""
        test = next(f for f in self.files if f.split == "test")
        with (data_dir / test.path).open("rb") as fh:
            return sum(1 for line in fh if line.strip())

    def verify_data(self, data_dir: Path) -> None:
        """Raise DatasetIntegrityError naming the first file that is missing or altered."""
        for f in self.files:
            path = data_dir / f.path
            if not path.is_file():
                raise DatasetIntegrityError(
                    f"benchmark {self.name} v{self.version}: dataset file {path} is missing")
            actual = sha256_file(path)
            if actual != f.sha256:
                raise DatasetIntegrityError(
                    f"benchmark {self.name} v{self.version}: dataset file {path} has sha256 "
                    f"{actual}, expected {f.sha256}; refusing to evaluate on altered data")


@dataclass(frozen=True)
class SuiteEntry:
    benchmark: Benchmark
    limit: int | None  # the first `limit` test items; None for all


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    entries: tuple[SuiteEntry, ...]

    @property
    def benchmark_names(self) -> list[str]:
        return [e.benchmark.name for e in self.entries]

    def entry(self, benchmark: str) -> SuiteEntry:
        for e in self.entries:
            if e.benchmark.name == benchmark:
                return e
        raise CatalogueError(f"suite {self.name!r} has no benchmark {benchmark!r}; it has {self.benchmark_names}")

    def version(self, harness_fingerprint: str) -> str:
        """Derived from content: benchmark versions, config and data hashes, item subsets, harness."""
        content = {
            "suite": self.name,
            "harness": harness_fingerprint,
            "benchmarks": [
                {"name": e.benchmark.name, "version": e.benchmark.version,
                 "task_config_sha256": e.benchmark.task_config_sha256,
                 "dataset_sha256": e.benchmark.dataset_sha256, "limit": e.limit}
                for e in self.entries
            ],
        }
        return sha256_json(content)[:12]


@dataclass(frozen=True)
class Catalogue:
    benchmarks: dict[str, Benchmark]
    suites: dict[str, Suite]

    def benchmark(self, name: str) -> Benchmark:
        try:
            return self.benchmarks[name]
        except KeyError:
            raise CatalogueError(f"unknown benchmark {name!r}; known: {sorted(self.benchmarks)}") from None

    def suite(self, name: str) -> Suite:
        try:
            return self.suites[name]
        except KeyError:
            raise CatalogueError(f"unknown suite {name!r}; known: {sorted(self.suites)}") from None


def _require(mapping: dict, key: str, where: str) -> Any:
    if key not in mapping:
        raise CatalogueError(f"{where}: missing required field {key!r}")
    return mapping[key]


def _parse_benchmark(name: str, raw: dict) -> Benchmark:
    where = f"benchmark {name!r}"
    dataset = _require(raw, "dataset", where)
    files = tuple(
        DatasetFile(split=split, path=_require(spec, "path", f"{where} file {split}"),
                    sha256=_require(spec, "sha256", f"{where} file {split}"))
        for split, spec in _require(dataset, "files", where).items()
    )
    task = _require(raw, "task", where)
    if task.get("output_type") not in {"generate_until", "multiple_choice"}:
        raise CatalogueError(f"{where}: task.output_type must be generate_until or multiple_choice")
    for forbidden in ("task", "dataset_path", "dataset_kwargs"):
        if forbidden in task:
            raise CatalogueError(f"{where}: task.{forbidden} is set by the platform, remove it")
    baseline = float(_require(raw, "random_baseline", where))
    if not 0.0 <= baseline < 1.0:
        raise CatalogueError(f"{where}: random_baseline must be in [0, 1), got {baseline}")
    return Benchmark(
        name=name, version=int(_require(raw, "version", where)),
        family=_require(raw, "family", where), title=raw.get("title", name),
        description=raw.get("description", "").strip(), license=raw.get("license", "unknown"),
        files=files, primary_metric=_require(raw, "primary_metric", where),
        random_baseline=baseline, task=copy.deepcopy(task),  # YAML anchors share dicts
    )


def parse_catalogue(raw: dict) -> Catalogue:
    benchmarks = {name: _parse_benchmark(name, spec) for name, spec in _require(raw, "benchmarks", "catalogue").items()}
    suites = {}
    for suite_name, spec in _require(raw, "suites", "catalogue").items():
        entries = []
        for bench_name, entry in _require(spec, "benchmarks", f"suite {suite_name!r}").items():
            if bench_name not in benchmarks:
                raise CatalogueError(f"suite {suite_name!r} names unknown benchmark {bench_name!r}; known: {sorted(benchmarks)}")
            limit = (entry or {}).get("limit")
            if limit is not None and (not isinstance(limit, int) or limit < 1):
                raise CatalogueError(f"suite {suite_name!r} benchmark {bench_name!r}: limit must be a positive integer or null")
            entries.append(SuiteEntry(benchmarks[bench_name], limit))
        if not entries:
            raise CatalogueError(f"suite {suite_name!r} has no benchmarks")
        suites[suite_name] = Suite(suite_name, spec.get("description", ""), tuple(entries))
    return Catalogue(benchmarks, suites)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    return parse_catalogue(yaml.safe_load(path.read_text()))
