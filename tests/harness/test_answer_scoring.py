"""Answer extraction and equivalence on real GSM8K and MATH-500 items: correct, wrong and
formatted-differently answers, judged exactly as an evaluation judges them (the catalogue's
task config loaded by lm-eval: its filters, its metric, its scorer)."""

from __future__ import annotations

import json

import pytest

from conftest import SHARED_BENCHMARKS, make_job
from run_benchmark import render_task_yamls
from scorers.math_answer import extract_answer, is_equivalent, process_results


def load_task(benchmark: str, folder, limit: int):
    from lm_eval.tasks import TaskManager, get_task_dict

    (name,) = render_task_yamls(make_job(benchmark, limit), folder)
    task = get_task_dict([name], TaskManager(include_path=str(folder), include_defaults=False))[name]
    task.build_all_requests(limit=limit, rank=0, world_size=1)
    return task


def judge(task, generations: dict[int, str]) -> dict[int, dict]:
    """Feed generations through the task's filters and metrics as lm-eval's evaluator does:
    {doc_id: {"metric,filter": value}}."""
    for inst in task.instances:
        inst.resps = [generations[inst.doc_id]]
    task.apply_filters()
    docs = dict(task.eval_docs_with_ids if hasattr(task, "eval_docs_with_ids") else enumerate(task.eval_docs))
    verdicts = {}
    for inst in task.instances:
        verdicts[inst.doc_id] = {}
        for key, resp in inst.filtered_resps.items():
            for metric, value in task.process_results(docs[inst.doc_id], [resp]).items():
                verdicts[inst.doc_id][f"{metric},{key}"] = value
    return verdicts


# --- GSM8K: strict (`#### N`) and flexible (last number) extraction, exact match -------------

GSM8K = [json.loads(line) for line in (SHARED_BENCHMARKS / "gsm8k" / "test.jsonl").read_text().splitlines()[:3]]
# doc 0: Janet's ducks, 18 dollars; doc 2: Josh's house flip, 70000 dollars.
assert GSM8K[0]["answer"].endswith("#### 18") and GSM8K[2]["answer"].endswith("#### 70000")

GSM8K_CASES = {
    # name: (doc_id, generation, strict, flexible)
    "correct, in the exemplars' form": (0, "She sells 16 - 3 - 4 = 9 eggs, for 9 * 2 = 18 dollars.\n#### 18", 1, 1),
    "correct, dollars and a full stop, no ####": (0, "She sells 9 eggs a day, so she makes $18.", 0, 1),
    "correct, thousands separator": (2, "The profit is 200,000 - 130,000 = 70,000.\n#### 70,000", 1, 1),
    "wrong number in the #### line": (0, "She sells 16 - 3 = 13 eggs, for 13 * 2 = 26 dollars.\n#### 26", 0, 0),
    "right number, but not the last one": (0, "#### 18 is what I thought, but it is 17", 1, 0),
    "no number at all": (2, "I cannot tell.", 0, 0),
}


@pytest.fixture(scope="module")
def gsm8k_verdicts(tmp_path_factory):
    results = {}
    for name, (doc_id, generation, _, _) in GSM8K_CASES.items():
        task = load_task("gsm8k", tmp_path_factory.mktemp("gsm8k"), limit=3)
        gens = {i: "#### -1" for i in range(3)}
        gens[doc_id] = generation
        results[name] = judge(task, gens)[doc_id]
    return results


@pytest.mark.parametrize("case", sorted(GSM8K_CASES))
def test_gsm8k_strict_and_flexible_extraction(gsm8k_verdicts, case):
    _, _, strict, flexible = GSM8K_CASES[case]
    assert gsm8k_verdicts[case] == {"exact_match,strict-match": strict, "exact_match,flexible-extract": flexible}


# --- MATH-500: answer equivalence with math-verify -----------------------------------------

MATH500 = {d["unique_id"]: d for d in map(json.loads, (SHARED_BENCHMARKS / "math500" / "test.jsonl").read_text().splitlines())}
FRACTION = MATH500["test/algebra/2584.json"]  # answer \frac{14}{3}
POLAR = MATH500["test/precalculus/807.json"]  # answer \left( 3, \frac{\pi}{2} \right)
ROOT = MATH500["test/algebra/2036.json"]  # answer 3\sqrt{13}
NAME = MATH500["test/algebra/1349.json"]  # answer \text{Evelyn}
DEGREES = MATH500["test/precalculus/927.json"]  # answer 90^\circ
ROOTS = MATH500["test/intermediate_algebra/1388.json"]  # answer 1,-2


@pytest.mark.parametrize("doc, generation", [
    (FRACTION, "Final Answer: The final answer is $\\frac{14}{3}$. I hope it is correct."),
    (FRACTION, "So the sum is $\\boxed{\\dfrac{14}{3}}$."),
    (FRACTION, "The answer is \\boxed{14/3}"),
    (FRACTION, "Final Answer: The final answer is $4\\frac{2}{3}$. I hope it is correct."),  # mixed number
    (POLAR, "Final Answer: The final answer is $(3,\\frac{\\pi}{2})$. I hope it is correct."),
    (POLAR, "so $(r, \\theta) = \\boxed{\\left(3, \\pi/2\\right)}$"),
    (ROOT, "The distance is $\\boxed{\\sqrt{117}}$."),  # 3\sqrt{13} = \sqrt{117}
    (NAME, "Final Answer: The final answer is $\\text{Evelyn}$. I hope it is correct."),
    (DEGREES, "The angle is $\\boxed{90}$ degrees."),
    (ROOTS, "The solutions are $\\boxed{-2, 1}$."),  # a set: order does not matter
])
def test_math500_equivalent_answers_count_as_correct(doc, generation):
    assert is_equivalent(doc["answer"], generation)
    assert process_results(doc, [generation]) == {"exact_match": 1.0}


@pytest.mark.parametrize("doc, generation", [
    (FRACTION, "Final Answer: The final answer is $\\frac{3}{14}$. I hope it is correct."),
    (FRACTION, "The answer is \\boxed{4.6}"),  # 14/3 = 4.666...: close is not equal
    (POLAR, "Final Answer: The final answer is $(3, \\pi)$. I hope it is correct."),
    (ROOT, "The distance is $\\boxed{13\\sqrt{3}}$."),
    (NAME, "Final Answer: The final answer is $\\text{Angela}$. I hope it is correct."),
    (ROOTS, "The solutions are $\\boxed{1, 2}$."),
    (FRACTION, "I do not know."),
])
def test_math500_wrong_answers_count_as_wrong(doc, generation):
    assert not is_equivalent(doc["answer"], generation)
    assert process_results(doc, [generation]) == {"exact_match": 0.0}


def test_fractions_decimals_and_slashes_are_one_number():
    half = "\\frac{1}{2}"
    for generation in ("$0.5$", "\\boxed{1/2}", "$\\dfrac12$", "\\boxed{\\tfrac{1}{2}}", "The answer is $.5$"):
        assert is_equivalent(half, generation), generation
    assert not is_equivalent(half, "\\boxed{\\frac{1}{3}}")


def test_boxed_and_final_answer_extraction():
    assert extract_answer("so the sum is \\boxed{\\frac{14}{3}} in all") == "\\frac{14}{3}"
    assert extract_answer("Final Answer: The final answer is $24$. I hope it is correct.") == "24"
    assert extract_answer("no answer here") is None


def test_hedging_with_several_boxed_answers_is_not_rewarded():
    # math-verify reads several boxed answers as one set of answers, which a single number never equals.
    assert not is_equivalent("\\frac{14}{3}", "either \\boxed{3} or \\boxed{\\frac{14}{3}}")


def test_every_reference_solution_is_judged_equal_to_its_answer():
    """math-verify must accept the dataset's own solutions, or the benchmark could not be won."""
    wrong = [uid for uid, d in MATH500.items() if not is_equivalent(d["answer"], d["solution"])]
    assert wrong == []


def test_math500_task_scores_with_the_shipped_scorer(tmp_path):
    task = load_task("math500", tmp_path, limit=3)
    docs = list(task.eval_docs)[:3]
    gens = {0: f"Final Answer: The final answer is ${docs[0]['answer']}$.", 1: "\\boxed{42}",
            2: f"So it is $\\boxed{{{docs[2]['answer']}}}$"}
    verdicts = judge(task, gens)
    assert verdicts == {0: {"exact_match,none": 1.0}, 1: {"exact_match,none": 0.0}, 2: {"exact_match,none": 1.0}}
