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
    assert set(catalogue.benchmarks) == {"gsm8k", "arc_easy", "arc_challenge"}
    assert set(catalogue.suites) == {"ci", "smoke", "standard"}
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
    with pytest.raises(CatalogueError, match=r"unknown suite 'nope'.*\['ci', 'smoke', 'standard'\]"):
        catalogue.suite("nope")
    with pytest.raises(CatalogueError, match=r"unknown benchmark 'mmlu'.*'arc_challenge', 'arc_easy', 'gsm8k'"):
        catalogue.benchmark("mmlu")
    with pytest.raises(CatalogueError, match=r"no benchmark 'arc_challenge'.*\['gsm8k', 'arc_easy'\]"):
        catalogue.suite("ci").entry("arc_challenge")


def test_suite_naming_an_unknown_benchmark_is_rejected():
    raw = raw_catalogue()
    raw["suites"]["ci"]["benchmarks"]["mbpp"] = {"limit": 3}
    with pytest.raises(CatalogueError, match=r"suite 'ci' names unknown benchmark 'mbpp'"):
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
    assert version(before, "smoke") == version(after, "smoke")


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
