"""Every submission: where it stands, why, and its Airflow run. The published snapshot's
submissions merged with the live status files, so a submission shows from the moment it is
registered (also before anything is published), with each benchmark's progress while it runs.
The page refreshes itself every few seconds."""

import streamlit as st

from dashboard import data, live_panel, transforms
from leaderboard import live

st.title("Queue")


@st.fragment(run_every=live_panel.REFRESH_S)
def queue_page() -> None:
    q = data.queue()
    live_panel.problems_warning(q.problems)
    subs = q.frame
    if subs.empty:
        st.info(" ".join(filter(None, ("No submission has been recorded yet.", q.snapshot_note))))
        return
    if q.snapshot_note:
        st.info(f"{q.snapshot_note} Shown: the submissions in flight, from their live status files.")

    counts = transforms.status_counts(subs)
    for column, (status, n) in zip(st.columns(len(counts)), counts.items()):
        column.metric(status, n)

    base = data.airflow_url()
    subs["airflow_run"] = [transforms.airflow_run_url(base, data.SUBMISSION_DAG, run_id)
                           for run_id in subs["submission_id"]]
    # An empty choice shows every status, so a submission moving to a new status stays in view.
    chosen = st.multiselect("Status", list(transforms.STATUSES), default=[], key="status", placeholder="all")
    shown = subs[subs["status"].isin(chosen)] if chosen else subs
    if shown.empty:
        st.info("No submission has the chosen status.")
    else:
        st.dataframe(shown, hide_index=True, key="queue", column_order=(
            "status", "model_id", "suite", "progress", "elapsed", "reason", "trigger", "submitted_at", "updated_at",
            "finished_at", "requested_revision", "revision", "submission_id", "airflow_run"), column_config={
            "progress": st.column_config.TextColumn("progress", help="Benchmarks scored, and those running "
                                                                     "with items done / total"),
            "elapsed": st.column_config.TextColumn("elapsed", help="Since submitted (until finished)"),
            "submitted_at": st.column_config.DatetimeColumn("submitted", format="YYYY-MM-DD HH:mm:ss"),
            "updated_at": st.column_config.DatetimeColumn("updated", format="YYYY-MM-DD HH:mm:ss"),
            "finished_at": st.column_config.DatetimeColumn("finished", format="YYYY-MM-DD HH:mm:ss"),
            "airflow_run": st.column_config.LinkColumn("Airflow run", display_text="open run",
                                                       help=f"The run in the Airflow UI at {base}"),
        })
        st.caption(f"Airflow run links point at {base} (set {data.AIRFLOW_URL_ENV} to change it). "
                   f"Refreshed every {live_panel.REFRESH_S} s.")

    shown_ids = set(shown["submission_id"])
    active = [s for s in live.in_flight(q.live) if s["submission_id"] in shown_ids]
    if active:
        st.subheader("In progress")
        live_panel.in_flight(active)

    st.subheader("Status history")
    pick = st.selectbox("Submission", shown["submission_id"].tolist() or subs["submission_id"].tolist(),
                        key="history_submission")
    if not q.published:
        st.info("The status history comes from the published leaderboard, and none is readable yet: "
                "it appears once the first evaluation finishes and is published.")
        return
    try:
        events = data.submission_events()
    except data.SnapshotUnavailable as exc:
        st.info(f"The status history cannot be read: {exc}")
        return
    events = events[events["submission_id"] == pick]
    if events.empty:
        current = subs.loc[subs["submission_id"] == pick, "status"]
        st.info("No status change of this submission has been published yet"
                + (f"; it is {current.iloc[0]} now." if len(current) else "."))
    else:
        st.dataframe(events[["status", "reason", "occurred_at"]], hide_index=True, key="events", column_config={
            "occurred_at": st.column_config.DatetimeColumn("at", format="YYYY-MM-DD HH:mm:ss.SSS"),
        })


queue_page()
