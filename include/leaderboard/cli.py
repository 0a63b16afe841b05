"""`leaderboard` command line: submit models to the evaluate_model DAG through Airflow's REST API,
re-run a stored result to check it reproduces, and show the changelog of suite versions."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from leaderboard import live
from leaderboard.errors import LeaderboardError
from leaderboard.model_ids import validate_model_id, validate_revision

DAG_ID = "evaluate_model"
POLL_S = 2.0  # how often --wait asks Airflow for the runs' states and reads the live status files
LOG_STEPS = 10  # without a terminal, a running benchmark's items are reported in tenths of its total


# --- --wait progress: pure formatting, then a printer for a terminal or a log ---------------

@dataclass(frozen=True)
class ProgressLine:
    """One model (benchmark None) or one of its benchmarks. `change` holds what makes the line
    worth printing again in a log: not the elapsed time, and items only in tenths."""

    model_id: str
    benchmark: str | None
    text: str
    change: tuple

    def block_text(self) -> str:
        return self.text if self.benchmark is None else f"    {self.benchmark}: {self.text}"

    def log_text(self) -> str:
        return self.text if self.benchmark is None else f"{self.model_id} {self.benchmark}: {self.text}"


def _items_step(entry: dict) -> int | None:
    done, total = live.count(entry.get("items_done")), live.count(entry.get("items_total"))
    if done is None or not total:
        return done
    return min(LOG_STEPS, done * LOG_STEPS // total)


def progress_lines(runs: dict[str, str], run_states: dict[str, str], submissions: list[dict],
                   problems: list[str] = ()) -> list[ProgressLine]:
    """Where each submitted model stands: runs maps model id -> Airflow run id (the submission
    id), run_states run id -> the run's Airflow state, submissions the live records
    (leaderboard.live.read_live). A line per model, then one per benchmark; unreadable live files
    of these runs last."""
    by_id = {s.get("submission_id"): s for s in submissions}
    lines = []
    for model_id, run_id in runs.items():
        record = by_id.get(run_id) or {}
        run_state = run_states.get(run_id, "queued")
        status = record.get("status") or "waiting"
        benchmarks = record.get("benchmarks") or []
        text = f"{model_id}: {status} (Airflow run {run_state})"
        summary = live.submission_summary(benchmarks).split(" · ")[0] if status == "evaluating" else ""
        if summary:
            text += f" · {summary}"
        if record.get("reason"):
            text += f" · {record['reason']}"
        lines.append(ProgressLine(model_id, None, text, (status, run_state, summary, record.get("reason"))))
        if status in ("evaluating", "completed", "failed"):
            for entry in benchmarks:
                change = (entry.get("state"), entry.get("phase") if entry.get("state") == "running" else None,
                          _items_step(entry), entry.get("score"), entry.get("reason"))
                lines.append(ProgressLine(model_id, str(entry.get("benchmark")), live.benchmark_summary(entry), change))
    folders = {live.submission_dir(Path(), run_id).name for run_id in runs.values()}
    for problem in problems:
        if problem.split("/", 1)[0] in folders:
            lines.append(ProgressLine("", None, f"unreadable live status: {problem}", (problem,)))
    return lines


def render_block(lines: list[ProgressLine], width: int, height: int = 1000) -> str:
    """The lines as a terminal block that fits the terminal: each cut to the width and at most
    height - 1 lines (so nothing wraps or scrolls, and the block can be redrawn in place)."""
    cut = max(width - 1, 20)
    texts = [line.block_text() for line in lines]
    room = max(height - 1, 2)
    if len(texts) > room:
        texts = texts[:room - 1] + [f"… and {len(texts) - room + 1} more lines"]
    return "\n".join(t if len(t) <= cut else t[:cut - 1] + "…" for t in texts)


def changed_lines(lines: list[ProgressLine], seen: dict) -> list[str]:
    """For a log: the lines that changed since the last call (`seen` remembers, and is updated),
    each one readable on its own."""
    out = []
    for line in lines:
        key = (line.model_id, line.benchmark, line.text if not line.model_id else None)
        if seen.get(key) != line.change:
            seen[key] = line.change
            out.append(line.log_text())
    return out


class ProgressPrinter:
    """On a terminal, one block redrawn in place; otherwise plain lines, only when they change."""

    def __init__(self, stream: TextIO, tty: bool | None = None):
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self._height = 0
        self._seen: dict = {}

    def update(self, lines: list[ProgressLine]) -> None:
        if self.tty:
            size = shutil.get_terminal_size()
            block = render_block(lines, size.columns, size.lines)
            up = f"\x1b[{self._height}F\x1b[J" if self._height else ""  # back to the block's first line, clear
            self.stream.write(f"{up}{block}\n")
            self._height = block.count("\n") + 1
        else:
            for text in changed_lines(lines, self._seen):
                self.stream.write(text + "\n")
        self.stream.flush()


def _api(args):
    from leaderboard.airflow_api import AirflowAPI, default_password

    home = Path(os.environ.get("AIRFLOW_HOME", "~/airflow")).expanduser()
    return AirflowAPI(args.airflow_url, args.username, default_password(home))


def cmd_submit(args) -> int:
    try:
        model_ids = [validate_model_id(m) for m in args.model_ids]
        revision = validate_revision(args.revision)
    except LeaderboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from leaderboard.submissions import run_id_for

    api = _api(args)
    api.wait_for_dag(DAG_ID)
    api.unpause(DAG_ID)
    runs = {}
    for model_id in model_ids:
        run_id = run_id_for("cli", model_id, revision, args.suite, unique=True)
        runs[model_id] = api.trigger(DAG_ID, {"model_id": model_id, "revision": revision, "suite": args.suite},
                                     run_id=run_id)
        print(f"queued {model_id}@{revision} on suite {args.suite}: run {runs[model_id]}")
    if not args.wait:
        return 0
    from leaderboard.airflow_api import RunsTimedOut
    from leaderboard.settings import load_settings

    published_dir = load_settings().published_dir
    printer = ProgressPrinter(sys.stdout)

    def show(states: dict[str, str]) -> None:
        view = live.read_live(published_dir)
        printer.update(progress_lines(runs, states, view.submissions, view.problems))
    try:
        states = api.wait_all(DAG_ID, runs.values(), timeout_s=args.timeout, poll_s=POLL_S, on_poll=show)
        timed_out = None
    except RunsTimedOut as exc:
        states, timed_out = exc.states, exc
    for model_id, run_id in runs.items():
        print(f"{model_id}: {states[run_id]}")
    if timed_out is not None:
        print(f"error: {timed_out}", file=sys.stderr)
    return 1 if timed_out is not None or any(states[r] != "success" for r in runs.values()) else 0


def cmd_reproduce(args) -> int:
    from leaderboard.reproduce import reproduce

    try:
        outcome = reproduce(args.result_id, output_dir=args.keep)
    except LeaderboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(outcome.report())
    return 0 if outcome.identical else 1


def cmd_changelog(args) -> int:
    from leaderboard.tracks import current_suite_version, suite_changelog

    rows = suite_changelog(args.suite)
    if not rows:
        print("no suite versions published yet")
    for row in rows:
        current = " (current)" if row["suite_version"] == current_suite_version(row["suite"]) else ""
        print(f"{row['suite']} {row['suite_version']}{current}  first seen {row['first_seen_at']:%Y-%m-%d %H:%M}  "
              f"{row['changes']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leaderboard", description=__doc__)
    parser.add_argument("--airflow-url", default=os.environ.get("AIRFLOW_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--username", default=os.environ.get("AIRFLOW_USERNAME", "admin"))
    sub = parser.add_subparsers(dest="command", required=True)
    submit = sub.add_parser("submit", help="evaluate one or more models")
    submit.add_argument("model_ids", nargs="+", metavar="ORG/NAME")
    submit.add_argument("--revision", default="main")
    submit.add_argument("--suite", default="smoke")
    submit.add_argument("--wait", action="store_true", help="wait until the runs finish")
    submit.add_argument("--timeout", type=float, default=3600)
    submit.set_defaults(func=cmd_submit)
    repro = sub.add_parser("reproduce", help="re-run a stored result exactly; exit 0 if the score is identical")
    repro.add_argument("result_id")
    repro.add_argument("--keep", type=Path, default=None, metavar="DIR", help="keep the new results in DIR")
    repro.set_defaults(func=cmd_reproduce)
    log = sub.add_parser("changelog", help="suite versions (tracks) and what changed between them")
    log.add_argument("--suite", default=None)
    log.set_defaults(func=cmd_changelog)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
