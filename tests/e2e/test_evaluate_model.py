"""The real evaluate_model DAG (dag.test) on the real SmolLM2 model, on the `ci` suite.

The expected per-sample verdicts come from lm-eval run directly, through its own CLI, on the
same task configs, items and model, inside the test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from leaderboard.reference import primary_scores, run_lm_eval_directly
from leaderboard.settings import load_settings
from tests.helpers import SMOLLM, query, run_evaluate_model

pytestmark = pytest.mark.e2e


def test_runs_succeed_and_land_one_row_per_benchmark(local_ci_runs):
    assert [r.state for r in local_ci_runs["runs"]] == ["success", "success"]
    rows = query(local_ci_runs["settings"].warehouse_path,
                 "SELECT benchmark, n_samples, run_id FROM results WHERE model_id = ? ORDER BY benchmark", [SMOLLM])
    assert [(b, n) for b, n, _ in rows] == [("arc_easy", 12), ("gsm8k", 2)]
    assert {run_id for *_, run_id in rows} == {local_ci_runs["runs"][1].run_id}, "the rerun replaces the rows"
    assert query(local_ci_runs["settings"].warehouse_path, "SELECT count(*) FROM samples") == [(14,)]
    statuses = query(local_ci_runs["settings"].warehouse_path, "SELECT status FROM submissions")
    assert statuses == [("completed",), ("completed",)]


def test_published_snapshot_ranks_the_model(local_ci_runs):
    published = local_ci_runs["settings"].published_path
    rows = query(published, "SELECT model_id, rank, complete FROM leaderboard WHERE suite = 'ci'")
    assert rows == [(SMOLLM, 1, True)]
    columns = {r[0] for r in query(published, "SELECT benchmark FROM leaderboard_scores")}
    assert columns == {"arc_easy", "gsm8k"}


def test_verdicts_match_lm_eval_run_directly(local_ci_runs, demo_models, tmp_path):
    settings = local_ci_runs["settings"]
    run_dir = next(settings.runs_dir.iterdir())
    submission = json.loads((run_dir / "submission.json").read_text())
    jobs = submission["jobs"]
    reference, _ = run_lm_eval_directly(jobs, Path(submission["model_path"]), settings.benchmarks_dir,
                                        tmp_path, settings.eval_python, batch_size=settings.batch_size)
    for job in jobs:
        bench = job["benchmark"]
        expected = primary_scores(reference[bench["task_name"]], bench["primary_metric"])
        got = dict(query(settings.warehouse_path,
                         "SELECT s.doc_id, s.score FROM samples s JOIN results r USING (result_id) "
                         "WHERE r.benchmark = ? AND r.model_id = ? ORDER BY s.doc_id", [bench["name"], SMOLLM]))
        assert got == expected, f"{bench['name']}: pipeline verdicts differ from lm_eval's"


def _rejection(settings) -> tuple:
    rows = query(settings.warehouse_path, "SELECT status, reason FROM submissions")
    assert len(rows) == 1
    assert query(settings.warehouse_path, "SELECT count(*) FROM results") == [(0,)]
    return rows[0]


def test_unknown_model_is_rejected_with_reason(dagbag, leaderboard_home):
    run = run_evaluate_model(dagbag, model_id="nobody/no-such-model")
    assert run.state == "failed"
    status, reason = _rejection(load_settings())
    assert status == "rejected"
    assert "nobody/no-such-model" in reason and "does not exist" in reason


def test_unknown_revision_is_rejected_with_reason(dagbag, leaderboard_home):
    run = run_evaluate_model(dagbag, model_id=SMOLLM, revision="deadbeefcafe")
    assert run.state == "failed"
    status, reason = _rejection(load_settings())
    assert status == "rejected"
    assert "revision 'deadbeefcafe' does not exist" in reason


def test_altered_dataset_aborts_before_evaluation(dagbag, leaderboard_home, monkeypatch, tmp_path):
    data = tmp_path / "benchmarks"
    shutil.copytree(load_settings().benchmarks_dir, data, ignore=shutil.ignore_patterns("mmlu"))
    (data / "arc" / "ARC-Easy-Test.jsonl").chmod(0o644)
    with (data / "arc" / "ARC-Easy-Test.jsonl").open("a") as fh:
        fh.write("\n")
    monkeypatch.setenv("LEADERBOARD_BENCHMARKS_DIR", str(data))
    run = run_evaluate_model(dagbag, model_id=SMOLLM)
    assert run.state == "failed"
    status, reason = _rejection(load_settings())
    assert status == "rejected"
    assert "ARC-Easy-Test.jsonl" in reason and "sha256" in reason
    assert not any(load_settings().runs_dir.glob("*/benchmarks/*")), "no benchmark may start"
