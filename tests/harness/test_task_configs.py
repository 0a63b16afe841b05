"""Every benchmark of the catalogue renders, loads in lm-eval and builds its requests, as lm-eval's
own task tests do (tests/test_tasks.py there): no model, a few documents per task."""

from __future__ import annotations

import pytest
import yaml

from conftest import REPO, SHARED_BENCHMARKS, make_job
from run_benchmark import DataIntegrityError, render_task_yamls, verify_inputs

CATALOGUE = yaml.safe_load((REPO / "include" / "leaderboard" / "catalogue" / "benchmarks.yaml").read_text())
LIMIT = 2


def load_tasks(job: dict, folder):
    from lm_eval.tasks import TaskManager, get_task_dict

    names = render_task_yamls(job, folder)
    tasks = get_task_dict(names, TaskManager(include_path=str(folder), include_defaults=False))
    assert sorted(tasks) == sorted(names)
    return [tasks[n] for n in names]


@pytest.mark.parametrize("benchmark", sorted(CATALOGUE["benchmarks"]))
def test_every_benchmark_loads_and_builds_its_requests(benchmark, tmp_path):
    job = make_job(benchmark, LIMIT)
    verify_inputs(job)
    spec = CATALOGUE["benchmarks"][benchmark]
    tasks = load_tasks(job, tmp_path)
    expected_tasks = len(spec["dataset"]["subtasks"]["files"]) if "subtasks" in spec["dataset"] else 1
    assert len(tasks) == expected_tasks
    shots = spec["task"].get("num_fewshot", 0)
    for task in tasks:
        task.build_all_requests(limit=LIMIT, rank=0, world_size=1)
        docs = {inst.doc_id for inst in task.instances}
        assert docs == set(range(LIMIT))
        if spec["task"]["output_type"] == "multiple_choice":
            assert {inst.request_type for inst in task.instances} == {"loglikelihood"}
            per_doc = len(task.instances) / LIMIT
            assert per_doc >= 3  # one request per choice
        else:
            assert {inst.request_type for inst in task.instances} == {"generate_until"}
            assert len(task.instances) == LIMIT
            context, gen_kwargs = task.instances[0].args
            assert gen_kwargs["until"] == spec["task"]["generation_kwargs"]["until"]
        assert task.config.num_fewshot == shots
        assert job["benchmark"]["expected_samples"] == LIMIT * len(tasks)


def test_gsm8k_prompt_holds_the_five_fixed_exemplars_then_the_question(tmp_path):
    (task,) = load_tasks(make_job("gsm8k"), tmp_path)
    task.build_all_requests(limit=1, rank=0, world_size=1)
    context = task.instances[0].args[0]
    assert context.count("Question:") == 6
    assert context.startswith("Question: There are 15 trees in the grove.")
    assert "#### 9\n\nQuestion: Janet" in context and context.endswith("Answer:")


def test_mmlu_prompt_names_the_subject_and_takes_five_dev_exemplars(tmp_path):
    tasks = load_tasks(make_job("mmlu"), tmp_path)
    anatomy = next(t for t in tasks if t.config.task.endswith("_anatomy"))
    anatomy.build_all_requests(limit=1, rank=0, world_size=1)
    first = anatomy.instances[0]
    context, continuation = first.args
    assert context.startswith("The following are multiple choice questions (with answers) about anatomy.\n\n")
    assert context.count("\nAnswer:") == 6  # five dev exemplars, then the test question
    dev_first_question = (SHARED_BENCHMARKS / "mmlu" / "dev" / "anatomy_dev.csv").read_text().split(",")[0]
    assert dev_first_question.strip('"') in context
    assert [inst.args[1] for inst in anatomy.instances] == [" A", " B", " C", " D"]
    # the target is the index of the answer letter
    assert anatomy.doc_to_target(anatomy.dataset["test"][0]) == "ABCD".index(anatomy.dataset["test"][0]["answer"])


def test_mmlu_csv_loads_every_row_as_text(tmp_path):
    """No header, no NaN: a cell reading "None" or "nan" stays text, and every answer is a letter."""
    tasks = load_tasks(make_job("mmlu", limit=None), tmp_path)
    total = 0
    for task in tasks:
        rows = task.dataset["test"]
        total += len(rows)
        assert set(rows.column_names) == {"question", "A", "B", "C", "D", "answer"}
        for row in rows:
            assert row["answer"] in {"A", "B", "C", "D"}
            assert all(isinstance(row[c], str) for c in "ABCD")
        assert len(task.dataset["dev"]) == 5
    assert total == 14042


def test_math500_prompt_holds_the_four_minerva_exemplars(tmp_path):
    (task,) = load_tasks(make_job("math500"), tmp_path)
    task.build_all_requests(limit=1, rank=0, world_size=1)
    context = task.instances[0].args[0]
    assert context.count("Problem:") == 5 and context.endswith("Solution:")
    assert context.count("I hope it is correct.") == 4


def test_altered_data_is_refused_before_any_evaluation(tmp_path):
    job = {**make_job("gsm8k"), "data_dir": str(tmp_path)}
    (tmp_path / "gsm8k").mkdir()
    data = bytearray((SHARED_BENCHMARKS / "gsm8k" / "test.jsonl").read_bytes())
    data[100] ^= 1
    (tmp_path / "gsm8k" / "test.jsonl").write_bytes(bytes(data))
    with pytest.raises(DataIntegrityError, match=r"gsm8k/test\.jsonl has sha256 .* expected"):
        verify_inputs(job)


def test_a_missing_mmlu_subject_file_is_refused(tmp_path):
    job = {**make_job("mmlu"), "data_dir": str(tmp_path)}
    with pytest.raises(DataIntegrityError, match=r"abstract_algebra_.*\.csv is missing"):
        verify_inputs(job)
