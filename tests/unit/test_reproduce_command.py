"""`reproduce` rebuilds a stored result's job from its manifest, re-runs it and compares scores.
Here the runner is a stand-in that writes harness outputs; tests/e2e/test_reproduce.py runs the
real harness on the real demo model."""

from __future__ import annotations

import json

import duckdb
import pytest

from builders import make_job, write_model, write_result
from leaderboard import warehouse
from leaderboard.cli import main as cli_main
from leaderboard.model_source import model_source_for
from leaderboard.reproduce import ReproductionError, load_stored_result, reproduce
from leaderboard.results import validate_result


class ReplayRunner:
    """Writes the given per-sample scores as the harness would, recording the job it was given."""

    name = "replay"

    def __init__(self, scores):
        self.scores, self.jobs = scores, []

    def run(self, job, model_path, output_dir):
        self.jobs.append(job)
        write_result(output_dir, job, self.scores, fit_job=False)


@pytest.fixture
def stored(settings):
    """One arc_easy result of a local model, loaded into the warehouse with its job in the manifest."""
    write_model(settings.models_dir, "org/model")
    revision = model_source_for(settings).resolve("org/model", "main").info.revision
    job = make_job(settings, "arc_easy", revision=revision)
    job["benchmark"]["expected_samples"] = 4
    out = settings.home / "original"

    def with_job(doc):
        doc["job"] = job

    write_result(out, job, [1, 0, 1, 1], edit=with_job, fit_job=False)
    result = validate_result(out, job)
    with warehouse.connect(settings.warehouse_path) as con:
        rid = warehouse.upsert_result(con, result, "run-1")
    return {"rid": rid, "job": job}


def test_identical_scores_are_reported_identical(settings, stored):
    runner = ReplayRunner([1, 0, 1, 1])
    outcome = reproduce(stored["rid"], settings, runner=runner)
    assert outcome.identical and outcome.original == outcome.reproduced == 0.75
    assert outcome.source == "warehouse"
    assert runner.jobs == [stored["job"]], "the stored job is re-run as it was"
    assert "identical" in outcome.report()


def test_a_changed_sample_is_reported_with_its_doc_id(settings, stored):
    outcome = reproduce(stored["rid"], settings, runner=ReplayRunner([1, 1, 1, 1]))
    assert not outcome.identical
    assert outcome.differing_samples == [(1, 0.0, 1.0)]
    assert "DIFFERENT" in outcome.report() and "doc 1: stored 0.0, reproduced 1.0" in outcome.report()


def test_a_busy_warehouse_falls_back_to_the_published_snapshot(settings, stored):
    import subprocess
    import sys

    settings.published_dir.mkdir(parents=True)
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute(f"ATTACH '{settings.published_path}' AS snap")
        con.execute("CREATE TABLE snap.results AS SELECT * FROM results")
        con.execute("CREATE TABLE snap.samples AS SELECT * FROM samples")
        con.execute("DETACH snap")
    # another process (the pipeline's writer) holds the warehouse
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(settings.warehouse_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        found = load_stored_result(stored["rid"], settings)
    finally:
        writer.communicate("")
    assert found.source == "published snapshot"
    assert found.scores == {0: 1.0, 1: 0.0, 2: 1.0, 3: 1.0}


def test_unknown_result_id_is_a_clear_error(settings, stored):
    with pytest.raises(ReproductionError, match="result 'nope' not found: not in the warehouse; no published snapshot"):
        reproduce("nope", settings, runner=ReplayRunner([1]))


def test_changed_data_is_refused_before_running(settings, stored, tmp_path):
    bench_dir = tmp_path / "data"
    (bench_dir / "arc").mkdir(parents=True)
    (bench_dir / "arc" / "ARC-Easy-Test.jsonl").write_text("{}\n")
    from dataclasses import replace

    runner = ReplayRunner([1, 0, 1, 1])
    with pytest.raises(Exception, match="ARC-Easy-Test.jsonl has changed"):
        reproduce(stored["rid"], replace(settings, benchmarks_dir=bench_dir), runner=runner)
    assert runner.jobs == []


def test_changed_model_is_refused(settings, stored):
    (settings.models_dir / "org" / "model" / "config.json").write_text(json.dumps({"architectures": ["X"]}))
    with pytest.raises(Exception, match="revision"):
        reproduce(stored["rid"], settings, runner=ReplayRunner([1, 0, 1, 1]))


def test_cli_exit_code_says_whether_it_reproduced(settings, stored, monkeypatch, capsys):
    import leaderboard.reproduce as module

    monkeypatch.setattr(module, "load_settings", lambda: settings)
    monkeypatch.setattr(module, "runner_for", lambda s: ReplayRunner([1, 0, 1, 1]))
    assert cli_main(["reproduce", stored["rid"]]) == 0
    assert "identical" in capsys.readouterr().out
    monkeypatch.setattr(module, "runner_for", lambda s: ReplayRunner([0, 0, 0, 0]))
    assert cli_main(["reproduce", stored["rid"]]) == 1
    assert cli_main(["reproduce", "nope"]) == 2
