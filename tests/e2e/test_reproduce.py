"""`reproduce` on a real result: SmolLM2 evaluated on the ci suite through the pipeline's own
functions, then every result re-run from its manifest must give the identical score."""

from __future__ import annotations

import pytest

from leaderboard import warehouse
from leaderboard.cli import main as cli_main
from leaderboard.pipeline import load_results, resolve_submission, run_benchmark
from leaderboard.reproduce import reproduce
from leaderboard.settings import load_settings

pytestmark = pytest.mark.e2e
SMOLLM = "HuggingFaceTB/SmolLM2-135M-Instruct"
AT = "2025-01-01T00:00:00+00:00"


def test_reproduce_gives_the_identical_score_on_a_demo_model_result(leaderboard_home, capsys):
    settings = load_settings()
    jobs = resolve_submission("run-repro", SMOLLM, "main", "ci", submitted_at=AT, settings=settings)
    for job in jobs:
        run_benchmark("run-repro", job, settings)
    assert load_results("run-repro", finished_at=AT, settings=settings)["status"] == "completed"
    with warehouse.connect(settings.warehouse_path) as con:
        result_ids = dict(con.execute("SELECT benchmark, result_id FROM results").fetchall())
    assert set(result_ids) == {"arc_easy", "gsm8k"}

    for benchmark, rid in sorted(result_ids.items()):
        outcome = reproduce(rid, settings)
        assert outcome.identical, outcome.report()
        assert outcome.n_samples == {"arc_easy": 12, "gsm8k": 2}[benchmark]
        assert not outcome.environment_changes, outcome.environment_changes

    # the command line says the same, with exit code 0
    assert cli_main(["reproduce", result_ids["gsm8k"]]) == 0
    assert "identical" in capsys.readouterr().out
