"""What is being evaluated right now, from the live status files (leaderboard.live): the pieces
the Queue and Leaderboard pages share. They render inside fragments that rerun on their own every
REFRESH_S seconds, so a change shows within a few seconds without reloading the page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, transforms
from leaderboard import live

REFRESH_S = 2
QUEUE_PAGE = "views/queue.py"


def problems_warning(problems: list[str]) -> None:
    """Name the live status files that could not be read; the rest of the page still renders."""
    if problems:
        st.warning("Some live status files could not be read; what they hold is not shown:\n\n"
                   + "\n".join(f"- {p}" for p in problems))


def submission_line(submission: dict) -> str:
    """The headline of one live submission: model, status, time since it was submitted."""
    started = pd.to_datetime(submission.get("submitted_at"), utc=True, errors="coerce", format="ISO8601")
    elapsed = "" if pd.isna(started) else live.format_duration(
        (pd.Timestamp.now(tz="UTC") - started).total_seconds())
    parts = [f"**{submission.get('model_id') or submission['submission_id']}**", f"`{submission.get('status')}`"]
    if submission.get("suite"):
        parts.append(f"suite {submission['suite']}")
    if elapsed:
        parts.append(f"submitted {elapsed} ago")
    if submission.get("reason"):
        parts.append(str(submission["reason"]))
    return " · ".join(parts)


def benchmark_table(submission: dict) -> None:
    """Each benchmark's state, items done / total as a progress bar, and elapsed time; before the
    evaluation starts, only how many benchmarks wait."""
    benchmarks = submission.get("benchmarks") or []
    if submission.get("status") != "evaluating" or not benchmarks:
        waiting = f" {len(benchmarks)} benchmarks queued." if benchmarks else ""
        st.caption(f"The evaluation has not started yet.{waiting}")
        return
    st.dataframe(transforms.benchmark_frame(benchmarks), hide_index=True,
                 key=f"benchmarks_{submission['submission_id']}",
                 column_config={
                     "progress": st.column_config.ProgressColumn("progress", min_value=0.0, max_value=1.0,
                                                                 format="percent", help="items done / total"),
                     "items": st.column_config.TextColumn("items", help="items done / total"),
                     "score": st.column_config.NumberColumn(format="%.3f"),
                 })


def in_flight(submissions: list[dict]) -> None:
    """Every live submission not yet finished, with its benchmarks."""
    for submission in submissions:
        st.markdown(submission_line(submission))
        benchmark_table(submission)


@st.fragment(run_every=REFRESH_S)
def waiting_for_first_publish(message: str) -> None:
    """The Leaderboard page before anything is published: what is being evaluated now. Reruns the
    whole page once the first snapshot appears."""
    if data.snapshot_path().exists():
        st.rerun()
    view = data.live_status()
    problems_warning(view.problems)
    active = live.in_flight(view.submissions)
    finishing = [s for s in view.submissions if s not in active]
    if active:
        st.info(f"{message} Being evaluated now:")
        in_flight(active)
    elif finishing:
        st.info(f"{message} The first evaluation has finished; its results are being published.")
    else:
        st.info(f"{message} Nothing is being evaluated right now.")


@st.fragment(run_every=REFRESH_S * 2)
def evaluating_now_notice() -> None:
    """A one-line notice above the leaderboard while submissions are in flight."""
    view = data.live_status()
    active = live.in_flight(view.submissions)
    if not active:
        return
    names = ", ".join(f"{s.get('model_id') or s['submission_id']} ({s.get('status')})" for s in active[:3])
    more = f" and {len(active) - 3} more" if len(active) > 3 else ""
    st.info(f"Evaluating now: {names}{more}. The leaderboard updates when they finish.", icon="⏳")
    st.page_link(QUEUE_PAGE, label="Follow their progress on the Queue page", icon="📋")
