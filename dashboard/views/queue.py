"""Every submission: where it stands, why, and its Airflow run."""

import streamlit as st

from dashboard import data, transforms

st.title("Queue")
subs = data.submissions()
if subs.empty:
    st.info("No submission has been recorded yet.")
    st.stop()

counts = transforms.status_counts(subs)
for column, (status, n) in zip(st.columns(len(counts)), counts.items()):
    column.metric(status, n)

base = data.airflow_url()
subs["airflow_run"] = [transforms.airflow_run_url(base, data.SUBMISSION_DAG, run_id) for run_id in subs["submission_id"]]
present = [s for s, n in counts.items() if n]
chosen = st.multiselect("Status", list(transforms.STATUSES), default=present, key="status", placeholder="all")
shown = subs[subs["status"].isin(chosen)] if chosen else subs
if shown.empty:
    st.info("No submission has the chosen status.")
else:
    st.dataframe(shown, hide_index=True, key="queue", column_order=(
        "status", "model_id", "suite", "reason", "trigger", "submitted_at", "updated_at", "finished_at",
        "requested_revision", "revision", "submission_id", "airflow_run"), column_config={
        "submitted_at": st.column_config.DatetimeColumn("submitted", format="YYYY-MM-DD HH:mm:ss"),
        "updated_at": st.column_config.DatetimeColumn("updated", format="YYYY-MM-DD HH:mm:ss"),
        "finished_at": st.column_config.DatetimeColumn("finished", format="YYYY-MM-DD HH:mm:ss"),
        "airflow_run": st.column_config.LinkColumn("Airflow run", display_text="open run",
                                                   help=f"The run in the Airflow UI at {base}"),
    })
    st.caption(f"Airflow run links point at {base} (set {data.AIRFLOW_URL_ENV} to change it).")

st.subheader("Status history")
pick = st.selectbox("Submission", shown["submission_id"].tolist() or subs["submission_id"].tolist(),
                    key="history_submission")
events = data.submission_events()
events = events[events["submission_id"] == pick]
if events.empty:
    st.info("No status change has been recorded for this submission.")
else:
    st.dataframe(events[["status", "reason", "occurred_at"]], hide_index=True, key="events", column_config={
        "occurred_at": st.column_config.DatetimeColumn("at", format="YYYY-MM-DD HH:mm:ss.SSS"),
    })
