"""`leaderboard` command line: submit models to the evaluate_model DAG through Airflow's REST API,
re-run a stored result to check it reproduces, and show the changelog of suite versions."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from leaderboard.errors import LeaderboardError
from leaderboard.model_ids import validate_model_id, validate_revision

DAG_ID = "evaluate_model"


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
    failed = 0
    for model_id, run_id in runs.items():
        state = api.wait(DAG_ID, run_id, timeout_s=args.timeout)
        print(f"{model_id}: {state}")
        failed += state != "success"
    return 1 if failed else 0


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
