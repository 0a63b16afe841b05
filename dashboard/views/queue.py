"""Every submission and where it ended."""

import streamlit as st

from dashboard import data

st.title("Queue")
subs = data.submissions()
if subs.empty:
    st.info("No submission has been recorded yet.")
    st.stop()

counts = subs["status"].value_counts()
st.caption(" · ".join(f"{status}: {n}" for status, n in counts.items()))
statuses = sorted(counts.index)
chosen = st.multiselect("Status", statuses, default=statuses, key="status")
shown = subs[subs["status"].isin(chosen)]
if shown.empty:
    st.info("No submission has the chosen status.")
else:
    st.dataframe(shown, hide_index=True, column_config={
        "submitted_at": st.column_config.DatetimeColumn("submitted", format="YYYY-MM-DD HH:mm:ss"),
        "finished_at": st.column_config.DatetimeColumn("finished", format="YYYY-MM-DD HH:mm:ss"),
    })
