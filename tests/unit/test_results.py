import hashlib
import json

import pytest

from leaderboard.errors import InvalidResults
from leaderboard.results import validate_result

from builders import make_job, make_samples, write_result


@pytest.fixture
def job(settings):
    return make_job(settings, "arc_easy", suite="ci")  # limit 12


@pytest.fixture
def out(tmp_path):
    return tmp_path / "out"


def test_a_valid_result_passes(out, job):
    write_result(out, job, [1, 0, 1, 1], stderr=0.25)
    result = validate_result(out, job)
    assert result.primary == {"value": 0.75, "stderr": 0.25}
    assert [s["doc_id"] for s in result.samples] == [0, 1, 2, 3]
    assert result.document["suite"] == job["suite"]


def test_samples_may_hold_unicode_line_separators(out, job):
    samples = make_samples([1, 0])
    samples[0]["prompt"] = "first\u2028second\u0085third\x0cfourth"
    write_result(out, job, samples_text="".join(json.dumps(s, ensure_ascii=False) + "\n" for s in samples), value=0.5)
    assert validate_result(out, job).samples[0]["prompt"] == samples[0]["prompt"]


def test_missing_results_file(out, job):
    out.mkdir()
    with pytest.raises(InvalidResults, match="results.json is missing"):
        validate_result(out, job)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("timings"), "'timings' is a required property"),
    (lambda d: d["benchmark"].pop("num_fewshot"), "benchmark: 'num_fewshot' is a required property"),
    (lambda d: d.update(schema_version=2), "schema_version"),
    (lambda d: d.update(samples_file="../../etc/passwd"), "samples_file"),
    (lambda d: d["metrics"]["acc_norm,none"].update(stderr=-0.1), "stderr"),
    (lambda d: d["timings"].update(finished_at="yesterday"), "timings/finished_at: 'yesterday' is not a date-time"),
    (lambda d: d["timings"].update(started_at="2025-01-01T00:00:00"), "timings/started_at: .* with a time zone"),
])
def test_schema_violations(out, job, edit, message):
    write_result(out, job, edit=edit)
    with pytest.raises(InvalidResults, match=message):
        validate_result(out, job)


@pytest.mark.parametrize("field, edit", [
    ("job_id", lambda d: d.update(job_id="another-run/arc_easy")),
    ("model.id", lambda d: d["model"].update(id="org/other")),
    ("model.revision", lambda d: d["model"].update(revision="rev-2")),
    ("benchmark.name", lambda d: d["benchmark"].update(name="arc_challenge")),
    ("benchmark.version", lambda d: d["benchmark"].update(version=2)),
    ("benchmark.task_config_sha256", lambda d: d["benchmark"].update(task_config_sha256="0" * 64)),
    ("benchmark.dataset_sha256", lambda d: d["benchmark"].update(dataset_sha256="0" * 64)),
    ("benchmark.limit", lambda d: d["benchmark"].update(limit=None)),
    ("suite.version", lambda d: d["suite"].update(version="000000000000")),
    ("primary_metric", lambda d: d.update(primary_metric="acc,none")),
])
def test_result_must_answer_the_job(out, job, field, edit):
    write_result(out, job, edit=edit)
    with pytest.raises(InvalidResults, match=rf"results.json {field} is .*, but the job asked for"):
        validate_result(out, job)


def test_primary_metric_must_have_a_value(out, job):
    write_result(out, job, edit=lambda d: d.update(metrics={"acc,none": {"value": 0.5, "stderr": 0.1}}))
    with pytest.raises(InvalidResults, match="no value for its primary metric 'acc_norm,none'"):
        validate_result(out, job)


def test_samples_must_match_their_hash(out, job):
    write_result(out, job, [1, 0, 1, 1])
    samples = out / "samples.jsonl"
    samples.write_text(samples.read_text().replace('"out 1"', '"OUT 1"'))
    with pytest.raises(InvalidResults, match="samples.jsonl does not match the samples_sha256"):
        validate_result(out, job)


def test_missing_samples_file(out, job):
    write_result(out, job)
    (out / "samples.jsonl").unlink()
    with pytest.raises(InvalidResults, match="samples.jsonl is missing"):
        validate_result(out, job)


def test_sample_count_must_match(out, job):
    write_result(out, job, [1, 0, 1, 1], edit=lambda d: d.update(n_samples=5))
    job["benchmark"]["expected_samples"] = 5  # the document agrees with the job, the file does not
    with pytest.raises(InvalidResults, match="holds 4 samples, results.json says 5"):
        validate_result(out, job)


@pytest.mark.parametrize("tamper, message", [
    (lambda s: s.update(verdict="maybe"), "verdict 'maybe' not in"),
    (lambda s: s.pop("target"), "field 'target' missing"),
    (lambda s: s.update(score="1"), "field 'score' missing or not"),
    (lambda s: s.update(doc_id=0), "doc_id 0 repeated"),
])
def test_bad_sample_records(out, job, tamper, message):
    samples = make_samples([1, 0, 1])
    tamper(samples[1])
    write_result(out, job, samples=samples, value=2 / 3)
    with pytest.raises(InvalidResults, match="samples.jsonl line 2: " + message):
        validate_result(out, job)


def test_reported_metric_must_be_the_mean_of_the_samples(out, job):
    write_result(out, job, [1, 0, 1, 1], value=0.8)
    with pytest.raises(InvalidResults, match="mean sample score 0.750000 differs from the reported acc_norm,none 0.800000"):
        validate_result(out, job)


def test_sample_count_must_match_the_item_subset(out, job):
    assert job["benchmark"]["limit"] == 12 and job["benchmark"]["expected_samples"] == 12
    write_result(out, job, [1] * 13, fit_job=False)
    with pytest.raises(InvalidResults, match="reports 13 samples, the job's item subset has 12"):
        validate_result(out, job)
    write_result(out, job, [1] * 11, fit_job=False)
    with pytest.raises(InvalidResults, match="reports 11 samples, the job's item subset has 12"):
        validate_result(out, job)


def test_non_json_results(out, job):
    write_result(out, job)
    (out / "results.json").write_text("{truncated")
    with pytest.raises(InvalidResults, match="is not JSON"):
        validate_result(out, job)


def _lines(records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_results_are_refused(out, job, constant):
    # Python's json reads NaN and Infinity; NaN also slips past "minimum: 0" and the mean check.
    write_result(out, job, [1, 0, 1, 1], stderr=0.1)
    path = out / "results.json"
    path.write_text(path.read_text().replace('"stderr": 0.1', f'"stderr": {constant}'))
    with pytest.raises(InvalidResults, match=constant):
        validate_result(out, job)


def test_non_finite_sample_score_is_refused(out, job):
    good, bad = (json.dumps(s) for s in make_samples([1, 0]))
    write_result(out, job, samples_text=_lines([good, bad.replace('"score": 0.0', '"score": NaN')]), value=0.5)
    with pytest.raises(InvalidResults, match="NaN"):
        validate_result(out, job)


@pytest.mark.parametrize("line", ["[1, 2]", '"text"', "", "{not json"])
def test_sample_line_that_is_not_a_json_object(out, job, line):
    write_result(out, job, samples_text=_lines([*make_samples([1, 1]), line]), value=1.0)
    with pytest.raises(InvalidResults, match="samples.jsonl line 3: not"):
        validate_result(out, job)


def test_samples_that_are_not_utf8(out, job):
    write_result(out, job, [1, 1])
    path = out / "samples.jsonl"
    path.write_bytes(path.read_bytes().replace(b"out 1", b"out \xff"))
    doc = json.loads((out / "results.json").read_text())
    doc["samples_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (out / "results.json").write_text(json.dumps(doc))
    with pytest.raises(InvalidResults, match="UTF-8"):
        validate_result(out, job)


def test_sample_score_outside_unit_interval(out, job):
    write_result(out, job, [1, 0, 1, 1], samples=[*make_samples([1, 0, 1]), {**make_samples([1])[0], "doc_id": 3, "score": 5.0}],
                 value=2.0)
    with pytest.raises(InvalidResults, match="line 4: score 5.0 is outside"):
        validate_result(out, job)


def test_verdict_must_agree_with_score(out, job):
    samples = make_samples([1, 0, 1, 1])
    samples[1]["verdict"] = "correct"
    write_result(out, job, samples=samples)
    with pytest.raises(InvalidResults, match="line 2: verdict 'correct' contradicts score 0.0"):
        validate_result(out, job)
