"""The steps of the evaluate_model DAG, as plain functions. The DAG file only wires them.

Each run works in its own folder, runs/<run id>/:
    request.json        what was asked (written first, so a rejection can still be recorded)
    submission.json     the resolved model, suite version and jobs
    rejection.json      why the submission was turned away, if it was
    benchmarks/<name>/  one benchmark's job.json, harness.log, results.json, samples.jsonl,
                        or failure.json with the reason it failed
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

from leaderboard import live, warehouse
from leaderboard.catalogue import Suite, SuiteEntry, load_catalogue
from leaderboard.errors import EvaluationFailed, InvalidResults, LeaderboardError
from leaderboard.model_source import ModelInfo, model_source_for
from leaderboard.publish import publish
from leaderboard.results import validate_result
from leaderboard.runners import Runner, harness_fingerprint, runner_for
from leaderboard.settings import Settings, load_settings

log = logging.getLogger(__name__)


def run_directory(settings: Settings, run_id: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", run_id)
    return settings.runs_dir / safe


def _read(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def build_job(run_id: str, model: ModelInfo, suite: Suite, suite_version: str, entry: SuiteEntry,
              settings: Settings, n_items: int) -> dict:
    """n_items: how many items the benchmark's test split holds (a benchmark of subtasks counts
    its own: lm-eval applies the limit to each subtask, see Benchmark.job_spec)."""
    b = entry.benchmark
    return {
        "job_id": f"{run_id}/{b.name}",
        "model": {"id": model.model_id, "revision": model.revision},
        "benchmark": entry.job_spec(settings.benchmarks_dir, n_items),
        "suite": {"name": suite.name, "version": suite_version},
        "runtime": {"device": settings.device, "dtype": settings.dtype, "batch_size": settings.batch_size,
                    "seed": 1234, **({"threads": settings.threads} if settings.threads else {})},
    }


def resolve_submission(run_id: str, model_id: str, revision: str, suite_name: str,
                       submitted_at: str, settings: Settings | None = None) -> list[dict]:
    """Validate the request, pin the model, verify the data; return one job per benchmark."""
    settings = settings or load_settings()
    run_dir = run_directory(settings, run_id)
    (run_dir / "rejection.json").unlink(missing_ok=True)
    live.write_json_atomic(run_dir / "request.json", {"model_id": model_id, "requested_revision": revision,
                                                      "suite": suite_name, "submitted_at": submitted_at})
    try:
        suite = load_catalogue().suite(suite_name)
        resolved = model_source_for(settings).resolve(model_id, revision)
        for entry in suite.entries:
            entry.benchmark.verify_data(settings.benchmarks_dir)
        harness = harness_fingerprint()
        suite_version = suite.version(harness)
        jobs = [build_job(run_id, resolved.info, suite, suite_version, e, settings,
                          e.benchmark.count_items(settings.benchmarks_dir)) for e in suite.entries]
    except LeaderboardError as exc:
        live.write_json_atomic(run_dir / "rejection.json", {"reason": str(exc)})
        raise
    live.write_json_atomic(run_dir / "submission.json", {
        "model": resolved.info.as_dict(), "model_path": str(resolved.path), "suite": suite_name,
        "suite_version": suite_version, "harness": harness, "jobs": jobs,
    })
    log.info("resolved %s@%s on suite %s (version %s): %d benchmarks",
             model_id, resolved.info.revision, suite_name, suite_version, len(jobs))
    return jobs


def _archive_failure(out: Path) -> None:
    """Keep an earlier attempt's failure reason (benchmarks/<name>.failures.jsonl) before a retry."""
    failure = out / "failure.json"
    if failure.is_file():
        with out.with_name(out.name + ".failures.jsonl").open("a") as fh:
            fh.write(json.dumps(json.loads(failure.read_text()), sort_keys=True) + "\n")


def run_benchmark(run_id: str, job: dict, settings: Settings | None = None, runner: Runner | None = None) -> dict:
    """Evaluate one benchmark with the configured runner (or the one given). A retry starts
    from an empty output folder, so no partial result is ever loaded."""
    settings = settings or load_settings()
    run_dir = run_directory(settings, run_id)
    submission = _read(run_dir / "submission.json")
    name = job["benchmark"]["name"]
    out = run_dir / "benchmarks" / name
    _archive_failure(out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    items_total = int(job["benchmark"]["expected_samples"])
    try:
        with live.ProgressMirror(settings.published_dir, run_id, name, out, items_total) as progress:
            (runner or runner_for(settings)).run(job, Path(submission["model_path"]), out)
            if job["benchmark"].get("execution"):
                # A code benchmark: the harness only generated; run the completions in the sandbox,
                # here, after the process that held the model has exited.
                from leaderboard.code_scoring import score_completions

                progress.phase("executing in the sandbox")
                score_completions(out, job, settings.benchmarks_dir)
        result = validate_result(out, job)
    except BaseException as exc:
        reason = str(exc) if isinstance(exc, LeaderboardError) else f"interrupted ({type(exc).__name__})"
        live.write_benchmark(settings.published_dir, run_id, name, "failed", reason=reason,
                             finished_at=live.utc_now())
        if isinstance(exc, LeaderboardError):
            live.write_json_atomic(out / "failure.json", {"reason": reason})
        raise
    primary = result.primary
    live.write_benchmark(settings.published_dir, run_id, name, "scored", items_done=result.document["n_samples"],
                         score=primary["value"], stderr=primary["stderr"], finished_at=live.utc_now())
    log.info("%s: %s = %.4f ± %.4f on %d items", job["benchmark"]["name"], result.document["primary_metric"],
             primary["value"], primary["stderr"] or 0.0, result.document["n_samples"])
    return {"benchmark": job["benchmark"]["name"], "score": primary["value"], "stderr": primary["stderr"]}


def _benchmark_outcome(run_dir: Path, job: dict):
    out = run_dir / "benchmarks" / job["benchmark"]["name"]
    try:
        return validate_result(out, job), {"status": "completed"}
    except InvalidResults as exc:
        failure = _read(out / "failure.json")
        if failure:
            return None, {"status": "failed", "reason": failure["reason"]}
        if not out.is_dir():
            return None, {"status": "failed", "reason": "not run: the benchmark task never started"}
        return None, {"status": "failed", "reason": f"no valid result: {exc}"}


def load_results(run_id: str, finished_at: str, settings: Settings | None = None) -> dict:
    """Load every valid result of the run and record where the submission ended. The only writer."""
    settings = settings or load_settings()
    run_dir = run_directory(settings, run_id)
    request = _read(run_dir / "request.json")
    if request is None:
        raise EvaluationFailed(f"run {run_id} has no request.json: resolve_model never ran")
    submission = _read(run_dir / "submission.json")
    rejection = _read(run_dir / "rejection.json")
    record = {
        "submission_id": run_id, "model_id": request["model_id"],
        "requested_revision": request["requested_revision"], "suite": request["suite"],
        "submitted_at": request["submitted_at"], "finished_at": finished_at,
        "revision": None, "suite_version": None, "benchmarks": {},
    }
    if rejection is not None or submission is None:
        reason = rejection["reason"] if rejection else "resolve_model did not finish"
        with warehouse.connect(settings.warehouse_path) as con:
            warehouse.record_submission(con, {**record, "status": "rejected", "reason": reason})
        live.write_submission(settings.published_dir, {
            **_live_record(record), "status": "rejected", "reason": reason, "updated_at": finished_at})
        return {"status": "rejected", "reason": reason}

    suite = load_catalogue().suite(submission["suite"])
    if suite.version(submission["harness"]) != submission["suite_version"]:
        raise EvaluationFailed(
            f"the catalogue changed during run {run_id}: suite {suite.name} is now version "
            f"{suite.version(submission['harness'])}, the run evaluated {submission['suite_version']}; resubmit")
    record.update(revision=submission["model"]["revision"], suite_version=submission["suite_version"])
    loadable = []
    for job in submission["jobs"]:
        result, outcome = _benchmark_outcome(run_dir, job)
        record["benchmarks"][job["benchmark"]["name"]] = outcome
        if result is not None:
            loadable.append(result)
    failed = {name: o["reason"] for name, o in record["benchmarks"].items() if o["status"] == "failed"}
    status = "failed" if failed else "completed"
    reason = "; ".join(f"{name}: {why}" for name, why in failed.items()) or None

    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.record_suite(con, suite, submission["suite_version"], submission["harness"], finished_at)
        warehouse.record_model(con, ModelInfo(**submission["model"]))
        for result in loadable:
            warehouse.upsert_result(con, result, run_id)
        warehouse.record_submission(con, {**record, "status": status, "reason": reason})
    live.write_submission(settings.published_dir, {
        **_live_record(record), "status": status, "reason": reason, "updated_at": finished_at})
    log.info("loaded %d of %d results for %s: %s", len(loadable), len(submission["jobs"]), run_id, status)
    return {"status": status, "reason": reason, "loaded": len(loadable)}


def _live_record(record: dict) -> dict:
    """The submission's warehouse record as its live status file carries it."""
    return {k: v for k, v in record.items() if k != "benchmarks"}


def publish_leaderboard(published_at: str, settings: Settings | None = None) -> dict:
    """Recompute every track's ranking and publish the snapshot readers use; then drop the live
    status of submissions whose final state the new snapshot holds."""
    settings = settings or load_settings()
    with warehouse.connect(settings.warehouse_path) as con:
        from leaderboard.submissions import reconcile_failed_runs  # here: submissions imports this module

        reconcile_failed_runs(con, settings)  # failed runs the listener found the warehouse locked for
        outcome = publish(con, settings.published_path, published_at)
        final = dict(con.execute(warehouse.sql("final_submissions")).fetchall())
    live.prune(settings.published_dir, final)
    return outcome
