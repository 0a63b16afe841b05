"""The benchmark catalogue: benchmarks and suites, declared once in benchmarks.yaml."""

from __future__ import annotations

import copy
import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from leaderboard.errors import CatalogueError, DatasetIntegrityError
from leaderboard.hashing import sha256_file, sha256_json
from leaderboard.settings import REPO_ROOT

CATALOGUE_PATH = Path(__file__).with_name("benchmarks.yaml")
# Scorer modules ship with the harness; a benchmark names one to score its generations.
SCORERS_DIR = REPO_ROOT / "eval_images" / "harness" / "scorers"
FAMILIES = {"code", "math", "language", "knowledge"}
DATA_FORMATS = {"json", "csv"}  # lm-eval dataset_path values for local files


@dataclass(frozen=True)
class DatasetFile:
    split: str  # the lm-eval split this file feeds ("test")
    path: str  # relative to the benchmarks data folder
    sha256: str  # pinned content hash; a mismatch aborts before evaluation


@dataclass(frozen=True)
class Subtask:
    """One lm-eval task of a benchmark made of several (MMLU: one per subject)."""
    name: str  # "abstract_algebra"
    files: tuple[DatasetFile, ...]
    overrides: dict[str, Any] = field(repr=False)  # task config keys this subtask sets


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
    data_format: str = "json"  # lm-eval dataset_path: "json" (JSON lines) or "csv"
    dataset_kwargs: dict[str, Any] = field(default_factory=dict, repr=False)  # e.g. csv column_names
    subtasks: tuple[Subtask, ...] = ()  # empty: one task reading `files`; else `files` is their union
    scorer: str | None = None  # harness scorer module (scorers/<name>.py) used as process_results

    @property
    def task_name(self) -> str:
        return f"leaderboard_{self.name}_v{self.version}"

    def subtask_name(self, subtask: Subtask) -> str:
        return f"{self.task_name}_{subtask.name}"

    @property
    def scorer_sha256(self) -> str | None:
        if self.scorer is None:
            return None
        path = SCORERS_DIR / f"{self.scorer}.py"
        if not path.is_file():
            raise CatalogueError(f"benchmark {self.name}: scorer module {path} does not exist")
        return sha256_file(path)

    @property
    def output_type(self) -> str:
        return self.task["output_type"]

    @property
    def num_fewshot(self) -> int:
        return int(self.task.get("num_fewshot") or 0)

    @property
    def dataset_sha256(self) -> str:
        if self.subtasks:
            return sha256_json(sorted((st.name, f.split, f.sha256) for st in self.subtasks for f in st.files))
        if len(self.files) == 1:
            return self.files[0].sha256
        return sha256_json(sorted((f.split, f.sha256) for f in self.files))

    @property
    def task_config_sha256(self) -> str:
        """Hash of everything that decides the scores, and of no machine-specific path."""
        content = {
            "name": self.name, "version": self.version, "task": self.task,
            "primary_metric": self.primary_metric,
            "files": sorted((f.split, f.sha256) for f in self.files),
        }
        # Only the fields a benchmark uses, so the hashes of single-file JSON benchmarks without
        # a scorer stay what they were before these fields existed.
        if self.data_format != "json" or self.dataset_kwargs:
            content["data"] = {"format": self.data_format, "kwargs": self.dataset_kwargs}
        if self.subtasks:
            content["subtasks"] = [{"name": st.name, "overrides": st.overrides} for st in self.subtasks]
        if self.scorer is not None:
            content["scorer"] = {"module": self.scorer, "sha256": self.scorer_sha256}
        return sha256_json(content)

    def task_config(self) -> dict[str, Any]:
        return copy.deepcopy(self.task)

    def subtask_config(self, subtask: Subtask) -> dict[str, Any]:
        return {**copy.deepcopy(self.task), **copy.deepcopy(subtask.overrides)}

    def _count_file(self, path: Path) -> int:
        if self.data_format == "csv":
            with path.open(newline="", encoding="utf-8") as fh:
                return sum(1 for row in csv.reader(fh) if row)  # quoted fields may span lines
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())

    def item_counts(self, data_dir: Path) -> dict[str, int]:
        """Items in the test split of each task: {task name: count}."""
        tasks = [(self.subtask_name(st), st.files) for st in self.subtasks] or [(self.task_name, self.files)]
        return {name: self._count_file(data_dir / next(f for f in files if f.split == "test").path)
                for name, files in tasks}

    def count_items(self, data_dir: Path) -> int:
        """Items in the test split, over all subtasks."""
        return sum(self.item_counts(data_dir).values())

    def expected_samples(self, limit: int | None, data_dir: Path, subtasks: tuple[str, ...] | None = None) -> int:
        """Samples an item subset yields: lm-eval applies `limit` to each task (each subtask)."""
        return self.job_spec(limit, data_dir, subtasks=subtasks)["expected_samples"]

    def selected_subtasks(self, names: tuple[str, ...] | None) -> tuple[Subtask, ...]:
        """The benchmark's subtasks, or the named ones in catalogue order."""
        if names is None:
            return self.subtasks
        known = {st.name for st in self.subtasks}
        unknown = sorted(set(names) - known)
        if unknown:
            raise CatalogueError(f"benchmark {self.name} has no subtasks {unknown}; it has {sorted(known)}")
        return tuple(st for st in self.subtasks if st.name in set(names))

    def job_spec(self, limit: int | None, data_dir: Path, n_items: int | None = None,
                 subtasks: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The `benchmark` part of a harness job: task config(s), data layout, item subset, scorer.

        n_items: the test split's item count, if the caller has it already (single-task only).
        subtasks: run only these subtasks (a suite's fixed subset of MMLU subjects); None for all."""
        selected = self.selected_subtasks(subtasks)
        counts = self.item_counts(data_dir) if self.subtasks or n_items is None else {self.task_name: n_items}
        if self.subtasks:
            counts = {self.subtask_name(st): counts[self.subtask_name(st)] for st in selected}
        subset = {name: n if limit is None else min(limit, n) for name, n in counts.items()}
        return {
            "name": self.name, "version": self.version, "task_name": self.task_name,
            "task_config": self.task_config(), "task_config_sha256": self.task_config_sha256,
            "data_format": self.data_format, "dataset_kwargs": copy.deepcopy(self.dataset_kwargs),
            "data_files": {} if self.subtasks else {f.split: f.path for f in self.files},
            "data_file_sha256": {} if self.subtasks else {f.split: f.sha256 for f in self.files},
            "dataset_sha256": self.dataset_sha256,
            "primary_metric": self.primary_metric, "limit": limit,
            # lm-eval applies `limit` to each task, so a benchmark of subtasks sums over them.
            "expected_samples": sum(subset.values()),
            "scorer": None if self.scorer is None else {"module": self.scorer, "sha256": self.scorer_sha256},
            "subtasks": [
                {"name": st.name, "index": self.subtasks.index(st),  # the doc_id block of its samples
                 "task_name": self.subtask_name(st), "task_config": self.subtask_config(st),
                 "data_files": {f.split: f.path for f in st.files},
                 "data_file_sha256": {f.split: f.sha256 for f in st.files},
                 "expected_samples": subset[self.subtask_name(st)]}
                for st in selected
            ],
        }

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
    limit: int | None  # the first `limit` test items (of each subtask); None for all
    subtasks: tuple[str, ...] | None = None  # a fixed subset of the benchmark's subtasks; None for all

    def job_spec(self, data_dir: Path, n_items: int | None = None) -> dict[str, Any]:
        b = self.benchmark
        return b.job_spec(self.limit, data_dir, None if b.subtasks else n_items, self.subtasks)


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
                 "dataset_sha256": e.benchmark.dataset_sha256, "limit": e.limit,
                 **({} if e.subtasks is None else {"subtasks": list(e.subtasks)})}
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


def _parse_subtasks(where: str, raw: dict) -> tuple[Subtask, ...]:
    template = _require(raw, "path", f"{where} subtasks")
    overrides = raw.get("overrides") or {}
    subtasks = []
    for sub_name, shas in _require(raw, "files", f"{where} subtasks").items():
        title = sub_name.replace("_", " ")
        subtasks.append(Subtask(
            name=sub_name,
            files=tuple(DatasetFile(split, template.format(split=split, subtask=sub_name), sha)
                        for split, sha in shas.items()),
            overrides={k: v.replace("{subtask}", title) if isinstance(v, str) else copy.deepcopy(v)
                       for k, v in overrides.items()},
        ))
    if not subtasks:
        raise CatalogueError(f"{where}: subtasks.files is empty")
    for st in subtasks:
        if "test" not in {f.split for f in st.files}:
            raise CatalogueError(f"{where} subtask {st.name!r}: no test file")
    return tuple(subtasks)


def _parse_benchmark(name: str, raw: dict) -> Benchmark:
    where = f"benchmark {name!r}"
    dataset = _require(raw, "dataset", where)
    if "subtasks" in dataset:
        if "files" in dataset:
            raise CatalogueError(f"{where}: declare dataset.files or dataset.subtasks, not both")
        subtasks = _parse_subtasks(where, dataset["subtasks"])
        files = tuple(f for st in subtasks for f in st.files)
    else:
        subtasks = ()
        files = tuple(
            DatasetFile(split=split, path=_require(spec, "path", f"{where} file {split}"),
                        sha256=_require(spec, "sha256", f"{where} file {split}"))
            for split, spec in _require(dataset, "files", where).items()
        )
    data_format = dataset.get("format", "json")
    if data_format not in DATA_FORMATS:
        raise CatalogueError(f"{where}: dataset.format must be one of {sorted(DATA_FORMATS)}, got {data_format!r}")
    if _require(raw, "family", where) not in FAMILIES:
        raise CatalogueError(f"{where}: family must be one of {sorted(FAMILIES)}, got {raw['family']!r}")
    task = _require(raw, "task", where)
    if task.get("output_type") not in {"generate_until", "multiple_choice"}:
        raise CatalogueError(f"{where}: task.output_type must be generate_until or multiple_choice")
    for forbidden in ("task", "dataset_path", "dataset_kwargs", "process_results", "metadata"):
        if forbidden in task:
            raise CatalogueError(f"{where}: task.{forbidden} is set by the platform, remove it")
    baseline = float(_require(raw, "random_baseline", where))
    if not 0.0 <= baseline < 1.0:
        raise CatalogueError(f"{where}: random_baseline must be in [0, 1), got {baseline}")
    if task["output_type"] == "generate_until" and baseline != 0.0:
        raise CatalogueError(f"{where}: a generative task's random_baseline is 0, got {baseline}")
    choices = task.get("doc_to_choice")
    if task["output_type"] == "multiple_choice" and isinstance(choices, list) and abs(baseline - 1 / len(choices)) > 1e-9:
        raise CatalogueError(f"{where}: random_baseline must be 1/{len(choices)} for {len(choices)} fixed choices, got {baseline}")
    scorer = raw.get("scorer")
    if scorer is not None and not (isinstance(scorer, str) and scorer.isidentifier()):
        raise CatalogueError(f"{where}: scorer must be a module name, got {scorer!r}")
    return Benchmark(
        name=name, version=int(_require(raw, "version", where)),
        family=_require(raw, "family", where), title=raw.get("title", name),
        description=raw.get("description", "").strip(), license=raw.get("license", "unknown"),
        files=files, primary_metric=_require(raw, "primary_metric", where),
        random_baseline=baseline, task=copy.deepcopy(task),  # YAML anchors share dicts
        data_format=data_format, dataset_kwargs=copy.deepcopy(dataset.get("kwargs") or {}),
        subtasks=subtasks, scorer=scorer,
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
            subtasks = (entry or {}).get("subtasks")
            if subtasks is not None:
                where = f"suite {suite_name!r} benchmark {bench_name!r}"
                if not benchmarks[bench_name].subtasks:
                    raise CatalogueError(f"{where}: subtasks given, but the benchmark has none")
                if not subtasks or len(set(subtasks)) != len(subtasks):
                    raise CatalogueError(f"{where}: subtasks must be a non-empty list without repeats")
                benchmarks[bench_name].selected_subtasks(tuple(subtasks))  # unknown names are an error
                subtasks = tuple(subtasks)
            entries.append(SuiteEntry(benchmarks[bench_name], limit, subtasks))
        if not entries:
            raise CatalogueError(f"suite {suite_name!r} has no benchmarks")
        suites[suite_name] = Suite(suite_name, spec.get("description", ""), tuple(entries))
    return Catalogue(benchmarks, suites)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    return parse_catalogue(yaml.safe_load(path.read_text()))
