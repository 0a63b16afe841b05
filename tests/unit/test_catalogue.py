import copy

import pytest
import yaml

from leaderboard.catalogue import CATALOGUE_PATH, load_catalogue, parse_catalogue
from leaderboard.errors import CatalogueError, DatasetIntegrityError

from builders import SHARED_BENCHMARKS

RAW = yaml.safe_load(CATALOGUE_PATH.read_text())


def raw_catalogue() -> dict:
    return copy.deepcopy(RAW)


def test_real_catalogue_loads(catalogue):
    assert set(catalogue.benchmarks) == {"gsm8k", "arc_easy", "arc_challenge", "mmlu", "math500", "humaneval", "mbpp"}
    assert set(catalogue.suites) == {"ci", "ci_code", "demo", "smoke", "standard"}
    assert catalogue.suite("ci").benchmark_names == ["gsm8k", "arc_easy"]
    assert catalogue.suite("ci").entry("arc_easy").limit == 12
    assert catalogue.suite("standard").entry("gsm8k").limit is None
    gsm8k = catalogue.benchmark("gsm8k")
    assert gsm8k.task_name == "leaderboard_gsm8k_v1"
    assert gsm8k.num_fewshot == 5 and gsm8k.output_type == "generate_until"
    assert catalogue.benchmark("arc_easy").random_baseline == 0.25


@pytest.mark.parametrize("name", sorted(RAW["benchmarks"]))
def test_every_benchmark_verifies_against_shared_data(catalogue, name):
    catalogue.benchmark(name).verify_data(SHARED_BENCHMARKS)


def _copy_data(benchmark, dest):
    for f in benchmark.files:
        target = dest / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((SHARED_BENCHMARKS / f.path).read_bytes())
    return dest / benchmark.files[0].path


def test_one_changed_byte_is_refused_naming_the_file(catalogue, tmp_path):
    bench = catalogue.benchmark("arc_challenge")
    path = _copy_data(bench, tmp_path)
    bench.verify_data(tmp_path)  # the untouched copy passes
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetIntegrityError, match="ARC-Challenge-Test.jsonl.*sha256"):
        bench.verify_data(tmp_path)


def test_missing_file_is_refused_naming_the_file(catalogue, tmp_path):
    with pytest.raises(DatasetIntegrityError, match=r"gsm8k/test\.jsonl is missing"):
        catalogue.benchmark("gsm8k").verify_data(tmp_path)


def test_unknown_names_list_the_known_ones(catalogue):
    with pytest.raises(CatalogueError, match=r"unknown suite 'nope'.*\['ci', 'ci_code', 'demo', 'smoke', 'standard'\]"):
        catalogue.suite("nope")
    with pytest.raises(CatalogueError, match=r"unknown benchmark 'hellaswag'.*'arc_challenge', 'arc_easy', 'gsm8k', 'humaneval', 'math500', 'mbpp', 'mmlu'"):
        catalogue.benchmark("hellaswag")
    with pytest.raises(CatalogueError, match=r"no benchmark 'arc_challenge'.*\['gsm8k', 'arc_easy'\]"):
        catalogue.suite("ci").entry("arc_challenge")


def test_suite_naming_an_unknown_benchmark_is_rejected():
    raw = raw_catalogue()
    raw["suites"]["ci"]["benchmarks"]["hellaswag"] = {"limit": 3}
    with pytest.raises(CatalogueError, match=r"suite 'ci' names unknown benchmark 'hellaswag'"):
        parse_catalogue(raw)


@pytest.mark.parametrize("limit", [0, -1, "3", 2.5])
def test_bad_limits_are_rejected(limit):
    raw = raw_catalogue()
    raw["suites"]["ci"]["benchmarks"]["gsm8k"] = {"limit": limit}
    with pytest.raises(CatalogueError, match="limit must be a positive integer"):
        parse_catalogue(raw)


def test_task_config_change_moves_only_the_suites_that_contain_it(harness):
    before = parse_catalogue(raw_catalogue())
    raw = raw_catalogue()
    # arc_easy and arc_challenge share one YAML anchor: replace the dict, don't mutate it.
    raw["benchmarks"]["arc_challenge"]["task"] = {**raw["benchmarks"]["arc_challenge"]["task"], "num_fewshot": 5}
    after = parse_catalogue(raw)

    changed = lambda b: before.benchmark(b).task_config_sha256 != after.benchmark(b).task_config_sha256
    assert changed("arc_challenge")
    assert not changed("arc_easy") and not changed("gsm8k")
    version = lambda cat, s: cat.suite(s).version(harness)
    assert version(before, "standard") != version(after, "standard")  # contains arc_challenge
    assert version(before, "ci") == version(after, "ci")
    assert version(before, "smoke") != version(after, "smoke")  # contains arc_challenge too


def test_data_location_is_not_part_of_the_task_hash():
    raw = raw_catalogue()
    raw["benchmarks"]["gsm8k"]["dataset"]["files"]["test"]["path"] = "/elsewhere/gsm8k.jsonl"
    assert (parse_catalogue(raw).benchmark("gsm8k").task_config_sha256
            == load_catalogue().benchmark("gsm8k").task_config_sha256)


def test_dataset_hash_change_moves_the_suite_version(harness):
    raw = raw_catalogue()
    raw["benchmarks"]["gsm8k"]["dataset"]["files"]["test"]["sha256"] = "0" * 64
    assert parse_catalogue(raw).suite("ci").version(harness) != load_catalogue().suite("ci").version(harness)


def test_suite_version_depends_on_harness_and_limit(harness):
    ci = load_catalogue().suite("ci")
    assert ci.version(harness) == parse_catalogue(raw_catalogue()).suite("ci").version(harness)  # deterministic
    assert len(ci.version(harness)) == 12
    assert ci.version("harness-a") != ci.version("harness-b")

    raw = raw_catalogue()
    raw["suites"]["ci"]["benchmarks"]["gsm8k"] = {"limit": 3}
    changed = parse_catalogue(raw)
    assert changed.suite("ci").version(harness) != ci.version(harness)
    assert changed.suite("smoke").version(harness) == load_catalogue().suite("smoke").version(harness)


# --- MMLU: 57 subjects as subtasks ----------------------------------------------------------

def test_mmlu_is_57_subjects_with_pinned_test_and_dev_files(catalogue):
    mmlu = catalogue.benchmark("mmlu")
    assert len(mmlu.subtasks) == 57
    assert all({f.split for f in st.files} == {"test", "dev"} for st in mmlu.subtasks)
    assert len(mmlu.files) == 114
    anatomy = next(st for st in mmlu.subtasks if st.name == "anatomy")
    assert {f.path for f in anatomy.files} == {"mmlu/test/anatomy_test.csv", "mmlu/dev/anatomy_dev.csv"}
    assert mmlu.subtask_config(anatomy)["description"].endswith("about anatomy.\n\n")
    assert mmlu.num_fewshot == 5 and mmlu.task["fewshot_split"] == "dev"
    assert mmlu.data_format == "csv" and mmlu.dataset_kwargs["column_names"] == ["question", "A", "B", "C", "D", "answer"]


def test_mmlu_counts_csv_records_not_lines(catalogue):
    # Quoted fields span lines in some subjects; the official test split has 14,042 questions.
    mmlu = catalogue.benchmark("mmlu")
    counts = mmlu.item_counts(SHARED_BENCHMARKS)
    assert sum(counts.values()) == mmlu.count_items(SHARED_BENCHMARKS) == 14042
    assert counts["leaderboard_mmlu_v1_high_school_european_history"] == 165


def test_mmlu_limit_applies_per_subject(catalogue):
    mmlu = catalogue.benchmark("mmlu")
    assert mmlu.expected_samples(2, SHARED_BENCHMARKS) == 114
    assert mmlu.expected_samples(None, SHARED_BENCHMARKS) == 14042
    # every subject has at least 100 items, so a limit of 100 takes exactly 100 from each
    assert mmlu.expected_samples(100, SHARED_BENCHMARKS) == 5700


def test_mmlu_job_lists_every_subtask_with_its_files_and_item_subset(settings, catalogue):
    from builders import make_job

    job = make_job(settings, "mmlu", suite="standard")
    bench = job["benchmark"]
    assert bench["expected_samples"] == 14042 and bench["limit"] is None
    assert len(bench["subtasks"]) == 57 and bench["data_files"] == {}
    first = bench["subtasks"][0]
    assert first["task_name"] == "leaderboard_mmlu_v1_abstract_algebra" and first["expected_samples"] == 100
    assert first["data_file_sha256"]["test"] == next(
        f.sha256 for f in catalogue.benchmark("mmlu").files if f.path == "mmlu/test/abstract_algebra_test.csv")


def test_one_altered_mmlu_subject_is_refused_naming_the_file(catalogue, tmp_path):
    mmlu = catalogue.benchmark("mmlu")
    for f in mmlu.files:
        (tmp_path / f.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f.path).write_bytes((SHARED_BENCHMARKS / f.path).read_bytes())
    mmlu.verify_data(tmp_path)
    with (tmp_path / "mmlu/dev/virology_dev.csv").open("ab") as fh:
        fh.write(b"\r\n")
    with pytest.raises(DatasetIntegrityError, match=r"virology_dev\.csv has sha256"):
        mmlu.verify_data(tmp_path)


# --- MATH-500 and scorers ------------------------------------------------------------------

def test_math500_declares_its_scorer_and_the_scorer_is_part_of_the_task_hash(catalogue, tmp_path, monkeypatch):
    import leaderboard.catalogue as cat

    math500 = catalogue.benchmark("math500")
    assert math500.scorer == "math_answer" and math500.output_type == "generate_until"
    assert math500.num_fewshot == 4 and len(math500.task["fewshot_config"]["samples"]) == 4
    before = math500.task_config_sha256
    copy_dir = tmp_path / "scorers"
    copy_dir.mkdir()
    source = (cat.SCORERS_DIR / "math_answer.py").read_text()
    (copy_dir / "math_answer.py").write_text(source)
    monkeypatch.setattr(cat, "SCORERS_DIR", copy_dir)
    assert math500.task_config_sha256 == before  # same code, same hash
    (copy_dir / "math_answer.py").write_text(source + "\n# changed\n")
    assert math500.task_config_sha256 != before


def test_missing_scorer_module_is_a_catalogue_error():
    raw = raw_catalogue()
    raw["benchmarks"]["math500"]["scorer"] = "no_such_scorer"
    with pytest.raises(CatalogueError, match="scorer module .*no_such_scorer.py does not exist"):
        parse_catalogue(raw).benchmark("math500").task_config_sha256


def test_the_platform_sets_process_results_not_the_catalogue():
    raw = raw_catalogue()
    raw["benchmarks"]["math500"]["task"] = {**raw["benchmarks"]["math500"]["task"], "process_results": "x.y"}
    with pytest.raises(CatalogueError, match="task.process_results is set by the platform"):
        parse_catalogue(raw)


# --- random baselines ----------------------------------------------------------------------

def test_random_baselines_are_one_over_choices_or_zero(catalogue):
    assert {n: b.random_baseline for n, b in catalogue.benchmarks.items()} == {
        "gsm8k": 0.0, "math500": 0.0, "arc_easy": 0.25, "arc_challenge": 0.25, "mmlu": 0.25,
        "humaneval": 0.0, "mbpp": 0.0}


def test_a_generative_benchmark_with_a_nonzero_baseline_is_rejected():
    raw = raw_catalogue()
    raw["benchmarks"]["gsm8k"]["random_baseline"] = 0.1
    with pytest.raises(CatalogueError, match="generative task's random_baseline is 0"):
        parse_catalogue(raw)


def test_a_baseline_that_is_not_one_over_the_fixed_choices_is_rejected():
    raw = raw_catalogue()
    raw["benchmarks"]["mmlu"]["random_baseline"] = 0.2
    with pytest.raises(CatalogueError, match="random_baseline must be 1/4"):
        parse_catalogue(raw)


# --- suites --------------------------------------------------------------------------------

def test_suites_hold_their_documented_subsets(catalogue):
    limits = lambda s: {e.benchmark.name: e.limit for e in catalogue.suite(s).entries}
    assert limits("ci") == {"gsm8k": 2, "arc_easy": 12}
    assert limits("smoke") == {"gsm8k": 8, "arc_easy": 200, "arc_challenge": 50, "mmlu": 2, "math500": 2,
                               "humaneval": 3, "mbpp": 3}
    assert limits("ci_code") == {"humaneval": 1, "mbpp": 1}
    smoke_mmlu = catalogue.suite("smoke").entry("mmlu")
    assert len(smoke_mmlu.subtasks) == 10
    assert smoke_mmlu.benchmark.expected_samples(2, SHARED_BENCHMARKS, smoke_mmlu.subtasks) == 20
    assert catalogue.suite("standard").entry("mmlu").subtasks is None
    assert limits("standard") == {b: None for b in ("gsm8k", "arc_easy", "arc_challenge", "mmlu", "math500",
                                                    "humaneval", "mbpp")}


def test_a_new_benchmark_version_moves_only_the_suites_that_contain_it(harness):
    raw = raw_catalogue()
    raw["benchmarks"]["mmlu"]["version"] = 2
    after = parse_catalogue(raw)
    before = load_catalogue()
    assert after.benchmark("mmlu").task_name == "leaderboard_mmlu_v2"
    for suite, moved in (("ci", False), ("smoke", True), ("standard", True)):
        assert (after.suite(suite).version(harness) != before.suite(suite).version(harness)) is moved, suite


def test_a_suite_subset_of_subjects_keeps_their_catalogue_index(settings):
    from builders import make_job

    bench = make_job(settings, "mmlu", suite="smoke")["benchmark"]
    assert [st["name"] for st in bench["subtasks"]][:2] == ["abstract_algebra", "anatomy"]
    assert [st["index"] for st in bench["subtasks"]][:3] == [0, 1, 12]  # conceptual_physics is 13th of 57
    assert bench["expected_samples"] == 20


@pytest.mark.parametrize("subtasks, message", [
    (["anatomy", "no_such_subject"], r"has no subtasks \['no_such_subject'\]"),
    ([], "non-empty list without repeats"),
    (["anatomy", "anatomy"], "non-empty list without repeats"),
])
def test_bad_subtask_subsets_are_rejected(subtasks, message):
    raw = raw_catalogue()
    raw["suites"]["smoke"]["benchmarks"]["mmlu"] = {"limit": 1, "subtasks": subtasks}
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_subtasks_on_a_single_task_benchmark_are_rejected():
    raw = raw_catalogue()
    raw["suites"]["smoke"]["benchmarks"]["gsm8k"] = {"limit": 1, "subtasks": ["x"]}
    with pytest.raises(CatalogueError, match="the benchmark has none"):
        parse_catalogue(raw)


def test_the_subject_subset_is_part_of_the_suite_version(harness):
    raw = raw_catalogue()
    raw["suites"]["smoke"]["benchmarks"]["mmlu"]["subtasks"] = ["anatomy"]
    assert parse_catalogue(raw).suite("smoke").version(harness) != load_catalogue().suite("smoke").version(harness)


def test_a_suite_may_cap_the_generation_budget_of_a_generative_benchmark(harness, tmp_path):
    raw = raw_catalogue()
    raw["suites"]["smoke"]["benchmarks"]["gsm8k"] = {"limit": 8, "max_gen_toks": 96}
    suite = parse_catalogue(raw).suite("smoke")
    spec = suite.entry("gsm8k").job_spec(tmp_path, n_items=1319)
    assert spec["task_config"]["generation_kwargs"]["max_gen_toks"] == 96
    assert "execution" not in spec
    assert suite.version(harness) != load_catalogue().suite("smoke").version(harness)


@pytest.mark.parametrize("bench, entry, message", [
    ("arc_easy", {"limit": 1, "max_gen_toks": 64}, "only to generative benchmarks"),
    ("gsm8k", {"limit": 1, "samples": 4, "temperature": 0.8}, "apply only to code benchmarks"),
])
def test_generation_settings_where_they_do_not_apply_are_rejected(bench, entry, message):
    raw = raw_catalogue()
    raw["suites"]["smoke"]["benchmarks"][bench] = entry
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)
