"""The leaderboard tracks: every suite version and what changed from one to the next."""

import streamlit as st

from dashboard import data

st.title("Tracks")
st.caption("Each suite version is its own leaderboard track: scores of different versions are never "
           "aggregated together. A new version appears when a benchmark, its config, its data, its "
           "item subset or the harness changes.")
log = data.changelog()
if log.empty:
    st.info("No suite version has been published yet.")
    st.stop()
suites = sorted(log["suite"].unique())
chosen = st.selectbox("Suite", ["all", *suites], key="suite")
shown = log if chosen == "all" else log[log["suite"] == chosen]
st.dataframe(shown, hide_index=True, column_config={
    "suite_version": "track", "previous_version": "previous track",
    "first_seen_at": st.column_config.DatetimeColumn("first seen", format="YYYY-MM-DD HH:mm:ss"),
})
