"""Every reference solution passes its own tests in the sandbox, built into test programs the way
completions are (leaderboard.code_scoring.build_program). MBPP items whose reference does not
pass are excluded by the benchmark's version (dataset.items.exclude in the catalogue)."""

from __future__ import annotations

import pytest

from builders import SHARED_BENCHMARKS
from leaderboard.catalogue import load_catalogue
from leaderboard.code_scoring import build_program, reference_program
from leaderboard.sandbox import execute

ISOLATION = "bwrap"


def run_references(name: str):
    bench = load_catalogue().benchmark(name)
    problems = bench.load_items(SHARED_BENCHMARKS)
    verdicts = execute([reference_program(bench.execution.program, p, bench.execution.timeout_s)
                        for p in problems], ISOLATION)
    return bench, problems, verdicts


@pytest.mark.parametrize("name, expected_items", [("humaneval", 164), ("mbpp", 499)])
def test_every_reference_solution_passes(name, expected_items):
    bench, problems, verdicts = run_references(name)
    assert len(problems) == expected_items
    failing = {v.sample_id: f"{v.status}: {v.reason}" for v in verdicts if v.status != "pass"}
    assert failing == {}, f"{name}: exclude these items by a new version, or fix the program building"


def test_mbpp_exclusions_are_items_of_the_split_with_a_reason():
    bench = load_catalogue().benchmark("mbpp")
    assert bench.items.exclude == (123,)
    assert "task 123" in bench.description
    assert all(bench.items.first <= key <= bench.items.last for key in bench.items.exclude)


def test_known_wrong_completions_fail():
    bench = load_catalogue().benchmark("humaneval")
    problem = bench.load_items(SHARED_BENCHMARKS)[0]  # has_close_elements
    wrong = {"always-false": "    return False\n", "off-by-one": "    return len(numbers) > 1\n",
             "crashes": "    return numbers[len(numbers)]\n", "exits-early": "    import sys; sys.exit(0)\n"}
    verdicts = execute([build_program("humaneval", problem, text, name, 5.0) for name, text in wrong.items()],
                       ISOLATION)
    assert {v.sample_id: v.status for v in verdicts} == {
        "always-false": "fail", "off-by-one": "fail", "crashes": "error", "exits-early": "error"}
