"""Response shapes, for the OpenAPI spec (and schemathesis, which checks responses against it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

ModelType = Literal["pretrained", "fine-tuned", "chat", "merge", "adapter"]
SubmissionStatus = Literal["pending", "validating", "evaluating", "completed", "failed", "rejected"]
Verdict = Literal["correct", "incorrect"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    status: int
    parameter: str | None = None  # the query or path parameter that was wrong, when one was
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class Track(BaseModel):
    suite: str
    suite_version: str


class BenchmarkScore(BaseModel):
    benchmark: str
    benchmark_title: str | None = None
    family: str | None = None
    raw_score: float | None = None
    raw_stderr: float | None = None
    raw_ci_low: float | None = None  # the 95% interval: Wilson for binary item scores (see the formula)
    raw_ci_high: float | None = None
    normalized_score: float | None = None
    normalized_stderr: float | None = None  # the interval's stderr-equivalent, normalised: what the aggregate uses
    normalized_ci_low: float | None = None
    normalized_ci_high: float | None = None
    n_samples: int | None = None  # the number of items behind the score
    ci_method: str | None = None  # wilson (binary item scores) or wilson_widened


class LeaderboardRow(BaseModel):
    """Every field is optional: `fields` selects which ones a response carries."""

    suite_version: str | None = None
    suite: str | None = None
    model_id: str | None = None
    revision: str | None = None
    complete: bool | None = None
    rank: int | None = None
    position: int | None = None
    average: float | None = None
    average_stderr: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n_scored: int | None = None
    scored_benchmarks: list[str] | None = None
    missing_benchmarks: list[str] | None = None
    evaluated_at: str | None = None
    tie_group_size: int | None = None
    mean_normalized: float | None = None
    on_pareto_frontier: bool | None = None
    parameters: int | None = None
    model_type: str | None = None
    precision: str | None = None
    license: str | None = None
    architecture: str | None = None
    base_model: str | None = None
    hub_url: str | None = None
    scores: list[BenchmarkScore] | None = None


class LeaderboardPage(BaseModel):
    snapshot_id: str
    published_at: str
    track: Track | None
    as_of: str | None
    total: int
    limit: int
    offset: int
    rows: list[LeaderboardRow]


class ModelRevision(BaseModel):
    revision: str
    source: str | None = None
    architecture: str | None = None
    parameters: int | None = None
    precision: str | None = None
    license: str | None = None
    base_model: str | None = None
    model_type: str | None = None
    created_at: str | None = None
    modified_at: str | None = None
    hub_url: str | None = None


class Standing(BaseModel):
    suite_version: str
    suite: str
    revision: str
    complete: bool
    rank: int | None = None
    position: int | None = None
    tie_group_size: int | None = None
    average: float | None = None
    average_stderr: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    missing_benchmarks: list[str] | None = None
    on_pareto_frontier: bool | None = None
    evaluated_at: str | None = None


class ModelResult(BaseModel):
    result_id: str
    suite: str
    suite_version: str
    revision: str
    benchmark: str
    benchmark_version: int
    title: str | None = None
    primary_metric: str
    raw_score: float | None = None
    raw_stderr: float | None = None
    raw_ci_low: float | None = None  # the 95% interval: Wilson for binary item scores (see the formula)
    raw_ci_high: float | None = None
    ci_method: str | None = None  # wilson (binary item scores) or wilson_widened
    normalized_score: float | None = None
    normalized_stderr: float | None = None  # the interval's stderr-equivalent, normalised
    normalized_ci_low: float | None = None
    normalized_ci_high: float | None = None
    n_samples: int  # the number of items behind the score
    evaluated_at: str | None = None
    run_id: str
    manifest: dict[str, Any]  # the full results document: versions, configs, hashes, runtime


class HistoryPoint(BaseModel):
    published_at: str
    snapshot_id: str
    suite_version: str
    revision: str
    complete: bool
    rank: int | None = None
    position: int | None = None
    average: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


class SubmissionEvent(BaseModel):
    status: str
    reason: str | None = None
    occurred_at: str | None = None


BenchmarkState = Literal["queued", "running", "scored", "failed"]


class SubmissionBenchmark(BaseModel):
    """One benchmark of a submission. In flight (from the live status files): its state and
    items done / total while it runs. Published: scored, or failed with its reason."""

    benchmark: str
    state: BenchmarkState
    items_done: int | None = None
    items_total: int | None = None
    elapsed_s: float | None = None  # since it started running (until it finished)
    phase: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    score: float | None = None
    stderr: float | None = None
    reason: str | None = None  # why it failed


class Submission(BaseModel):
    submission_id: str
    model_id: str | None = None
    requested_revision: str | None = None
    revision: str | None = None
    suite: str | None = None
    suite_version: str | None = None
    status: str
    reason: str | None = None
    trigger: str | None = None
    submitted_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    events: list[SubmissionEvent] | None = None
    benchmarks: list[SubmissionBenchmark] | None = None  # in /submissions: live progress, or the published outcome


class ModelPage(BaseModel):
    snapshot_id: str
    published_at: str
    model_id: str
    revisions: list[ModelRevision]
    standings: list[Standing]
    results: list[ModelResult]
    history: list[HistoryPoint]
    submissions: list[Submission]


class Sample(BaseModel):
    suite_version: str
    revision: str
    benchmark: str
    doc_id: int
    verdict: str
    score: float | None = None
    prompt: str
    output: str
    extracted: str | None = None
    target: str
    execution_status: str | None = None
    execution_detail: str | None = None


class SamplesPage(BaseModel):
    snapshot_id: str
    model_id: str
    total: int
    limit: int
    offset: int
    samples: list[Sample]


class BenchmarkTrack(BaseModel):
    suite: str
    suite_version: str
    benchmark_version: int
    item_limit: int | None = None
    task_config_sha256: str
    dataset_sha256: str


class Benchmark(BaseModel):
    benchmark: str
    title: str
    family: str
    primary_metric: str
    random_baseline: float
    versions: list[int]
    tracks: list[BenchmarkTrack]


class BenchmarkList(BaseModel):
    snapshot_id: str
    benchmarks: list[Benchmark]


class SuiteVersion(BaseModel):
    suite_version: str
    description: str | None = None
    harness_fingerprint: str
    first_seen_at: str | None = None
    benchmarks: list[str]
    ranked_models: int
    previous_version: str | None = None
    changes: str | None = None  # what changed against the previous version (the changelog)


class Suite(BaseModel):
    suite: str
    latest_version: str
    versions: list[SuiteVersion]


class SuiteList(BaseModel):
    snapshot_id: str
    suites: list[Suite]


class SnapshotInfo(BaseModel):
    snapshot_id: str
    created_at: str | None = None
    formula_version: int
    aggregation: str
    formula: str
    suite_versions: list[str]
    n_models: int
    n_ranked: int
    file: str
    published_at: list[str]


class SnapshotList(BaseModel):
    current: str
    total: int
    limit: int
    offset: int
    snapshots: list[SnapshotInfo]


class DiffRow(BaseModel):
    suite_version: str
    model_id: str
    change: Literal["added", "removed", "changed", "unchanged"]
    old_revision: str | None = None
    new_revision: str | None = None
    old_complete: bool | None = None
    new_complete: bool | None = None
    old_rank: int | None = None
    new_rank: int | None = None
    rank_change: int | None = None
    old_average: float | None = None
    new_average: float | None = None
    average_change: float | None = None


class SnapshotDiff(BaseModel):
    snapshot_id: str
    old: str
    new: str
    total: int
    limit: int
    offset: int
    changes: list[DiffRow]


class SubmissionList(BaseModel):
    """The published submissions merged with the live ones (the live record wins), newest update
    first. Computed afresh on each request: `snapshot_id` is null before anything is published."""

    snapshot_id: str | None
    total: int
    limit: int
    offset: int
    submissions: list[Submission]
    problems: list[str]  # live status files (or a snapshot) that could not be read, and were left out


class Health(BaseModel):
    status: Literal["ok"]
    snapshot_id: str
    published_at: str
