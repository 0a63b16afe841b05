"""`leaderboard submit --wait`: the progress it prints from the live status files (pure
formatting), the printer for a terminal or a log, and the wait loop that polls every run together."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from leaderboard import cli, live
from leaderboard.airflow_api import AirflowAPI, RunsTimedOut

RUNS = {"org/a-1b": "cli__org_a", "org/b-7b": "cli__org_b"}


def benchmark(name, state, done=None, total=None, **extra) -> dict:
    return {"benchmark": name, "state": state, "items_done": done, "items_total": total, **extra}


def submissions(gsm_done: int = 12, gsm_elapsed: float = 65.0, arc_state: str = "queued") -> list[dict]:
    return [
        {"submission_id": "cli__org_a", "model_id": "org/a-1b", "status": "evaluating", "reason": None,
         "benchmarks": [benchmark("gsm8k", "running", gsm_done, 50, phase="generating", elapsed_s=gsm_elapsed),
                        benchmark("arc_easy", arc_state, 0 if arc_state == "queued" else 10, 10,
                                  **({"score": 0.75, "elapsed_s": 30.0} if arc_state == "scored" else {}))]},
        {"submission_id": "cli__org_b", "model_id": "org/b-7b", "status": "rejected",
         "reason": "org/b-7b: no safetensors weights", "benchmarks": []},
    ]


def test_progress_lines_per_model_and_benchmark():
    lines = cli.progress_lines(RUNS, {"cli__org_a": "running", "cli__org_b": "running"}, submissions())
    assert [line.block_text() for line in lines] == [
        "org/a-1b: evaluating (Airflow run running) · 0/2 scored",
        "    gsm8k: running 12/50 items · generating · 1m 05s",
        "    arc_easy: queued 0/10 items",
        "org/b-7b: rejected (Airflow run running) · org/b-7b: no safetensors weights",
    ]
    assert lines[1].log_text() == "org/a-1b gsm8k: running 12/50 items · generating · 1m 05s"
    done = cli.progress_lines(RUNS, {}, submissions(arc_state="scored"))
    assert done[2].block_text() == "    arc_easy: scored 0.750 · 30s"
    assert done[0].text == "org/a-1b: evaluating (Airflow run queued) · 1/2 scored"


def test_a_run_without_live_files_shows_its_airflow_state():
    lines = cli.progress_lines(RUNS, {"cli__org_a": "queued"}, [])
    assert [line.text for line in lines] == ["org/a-1b: waiting (Airflow run queued)",
                                             "org/b-7b: waiting (Airflow run queued)"]


def test_unreadable_live_files_of_these_runs_are_named():
    problems = ["cli__org_a/gsm8k.json is unreadable (JSONDecodeError: ...)", "other/submission.json is missing"]
    lines = cli.progress_lines(RUNS, {}, [], problems)
    assert lines[-1].text == "unreadable live status: cli__org_a/gsm8k.json is unreadable (JSONDecodeError: ...)"
    assert not any("other/" in line.text for line in lines)


def test_render_block_fits_the_terminal():
    lines = cli.progress_lines(RUNS, {}, submissions())
    block = cli.render_block(lines, width=30)
    assert all(len(row) <= 29 for row in block.split("\n")) and block.split("\n")[1].endswith("…")
    short = cli.render_block(lines, width=200, height=3)
    assert short.split("\n") == ["org/a-1b: evaluating (Airflow run queued) · 0/2 scored",
                                 "… and 3 more lines"]


def test_a_log_gets_only_the_lines_that_changed():
    seen: dict = {}
    states = {"cli__org_a": "running", "cli__org_b": "failed"}
    first = cli.changed_lines(cli.progress_lines(RUNS, states, submissions()), seen)
    assert len(first) == 4
    # the elapsed time, and items within the same tenth of the total, are no change
    assert cli.changed_lines(cli.progress_lines(RUNS, states, submissions(gsm_done=14, gsm_elapsed=80)), seen) == []
    assert cli.changed_lines(cli.progress_lines(RUNS, states, submissions(gsm_done=25, gsm_elapsed=99)), seen) == [
        "org/a-1b gsm8k: running 25/50 items · generating · 1m 39s"]
    assert cli.changed_lines(cli.progress_lines(RUNS, states, submissions(gsm_done=25, arc_state="scored")),
                             seen) == ["org/a-1b: evaluating (Airflow run running) · 1/2 scored",
                                       "org/a-1b arc_easy: scored 0.750 · 30s"]


def test_the_printer_redraws_in_place_on_a_terminal_and_appends_to_a_log():
    lines = cli.progress_lines(RUNS, {}, submissions())
    terminal = io.StringIO()
    printer = cli.ProgressPrinter(terminal, tty=True)
    printer.update(lines)
    printer.update(cli.progress_lines(RUNS, {}, submissions(gsm_done=13)))
    first, second = terminal.getvalue().split("\x1b[4F\x1b[J")  # up the 4 lines drawn, clear them
    assert first.count("\n") == 4 and "12/50" in first and "13/50" in second and "\x1b" not in first

    log = io.StringIO()
    printer = cli.ProgressPrinter(log, tty=False)
    printer.update(lines)
    printer.update(lines)
    assert "\x1b" not in log.getvalue() and len(log.getvalue().splitlines()) == 4


class FakeAirflow(AirflowAPI):
    """The REST client with run states from a script instead of HTTP."""

    def __init__(self, script: dict[str, list]):
        super().__init__("http://airflow.invalid", "u", "p")
        self.script, self.asked = script, []

    def run_state(self, dag_id, run_id):
        self.asked.append(run_id)
        state = self.script[run_id].pop(0) if len(self.script[run_id]) > 1 else self.script[run_id][0]
        if isinstance(state, Exception):
            raise state
        return state


def test_wait_all_polls_every_run_together_until_all_finish():
    api = FakeAirflow({"a": ["queued", "running", "success"], "b": ["running", httpx.ConnectError("down"), "failed"]})
    seen = []
    states = api.wait_all("dag", ["a", "b"], poll_s=0, on_poll=seen.append)
    assert states == {"a": "success", "b": "failed"}
    assert seen == [{"a": "queued", "b": "running"}, {"a": "running", "b": "running"},  # the blip keeps the state
                    {"a": "success", "b": "failed"}]
    assert api.asked == ["a", "b", "a", "b", "a", "b"]


def test_wait_all_times_out_with_the_last_states():
    api = FakeAirflow({"a": ["success"], "b": ["running"]})
    with pytest.raises(RunsTimedOut) as caught:
        api.wait_all("dag", ["a", "b"], timeout_s=0, poll_s=0)
    assert caught.value.states == {"a": "success", "b": "running"} and "b running" in str(caught.value)
    with pytest.raises(TimeoutError, match="run b still running"):
        FakeAirflow({"b": ["running"]}).wait("dag", "b", timeout_s=0, poll_s=0)


def test_submit_wait_prints_progress_then_the_final_states(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEADERBOARD_HOME", str(tmp_path))
    now = datetime.now(timezone.utc)

    class API:
        runs: dict = {}

        def wait_for_dag(self, dag_id):
            pass

        def unpause(self, dag_id):
            pass

        def trigger(self, dag_id, conf, run_id):
            self.runs[conf["model_id"]] = run_id
            return run_id

        def wait_all(self, dag_id, run_ids, timeout_s, poll_s, on_poll):
            run_ids = list(run_ids)
            a, b = run_ids
            live.write_submission(tmp_path / "published", {
                "submission_id": a, "model_id": "org/a-1b", "status": "evaluating",
                "benchmarks_declared": [{"benchmark": "gsm8k", "items_total": 50}]})
            live.write_benchmark(tmp_path / "published", a, "gsm8k", "running", items_total=50, items_done=20,
                                 started_at=(now - timedelta(seconds=5)).isoformat())
            on_poll({a: "running", b: "queued"})
            on_poll({a: "running", b: "queued"})  # nothing new: nothing printed (stdout is not a terminal)
            states = {a: "success", b: "failed"}
            on_poll(states)
            return states

    monkeypatch.setattr(cli, "_api", lambda args: API())
    code = cli.main(["submit", "--wait", "--suite", "ci", "org/a-1b", "org/b-7b"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1  # org/b-7b failed
    assert out[2:5] == ["org/a-1b: evaluating (Airflow run running) · 0/1 scored",
                        "org/a-1b gsm8k: running 20/50 items · 5s",
                        "org/b-7b: waiting (Airflow run queued)"]
    assert out[5:] == ["org/a-1b: evaluating (Airflow run success) · 0/1 scored",
                       "org/b-7b: waiting (Airflow run failed)",
                       "org/a-1b: success", "org/b-7b: failed"]
