"""Charts of one track: score against size with the Pareto frontier, score distributions, top models over time."""

import altair as alt
import streamlit as st

from dashboard import data, transforms

tracks = data.tracks()
if tracks.empty:
    st.info("The published snapshot holds no track yet: no model has been evaluated.")
    st.stop()
labels = {t.suite_version: transforms.track_label(t) for _, t in tracks.iterrows()}
suite_version = st.selectbox("Track", list(labels), index=transforms.default_track(tracks),
                             format_func=labels.get, key="chart_track")
st.title(f"Charts · {tracks.set_index('suite_version').loc[suite_version, 'suite']}")

board = data.track_leaderboard(suite_version)
ranked = board[board["complete"]]
if ranked.empty:
    st.info("No model has completed this track yet.")
    st.stop()

st.subheader("Score against parameters")
sized = ranked[ranked["parameters"].notna()].assign(frontier=lambda d: d["on_pareto_frontier"].fillna(False).astype(bool))
if sized.empty:
    st.info("No ranked model of this track has a known parameter count.")
else:
    st.caption("Filled points are on the Pareto frontier: no other model is both smaller and better.")
    points = alt.Chart(sized).mark_point(size=60).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="parameters"),
        y=alt.Y("average:Q", title="average (normalized)"),
        color=alt.Color("frontier:N", title="Pareto frontier"),
        fill=alt.Fill("frontier:N", legend=None),
        tooltip=["model_id", "parameters", alt.Tooltip("average:Q", format=".1f"), "rank"])
    line = alt.Chart(transforms.pareto_line(ranked)).mark_line(strokeDash=[4, 3]).encode(
        x="parameters:Q", y="average:Q")
    st.altair_chart(points + line, width="stretch")

st.subheader("Score distribution per benchmark")
scores = data.track_scores(suite_version)
scores = scores[scores["model_id"].isin(ranked["model_id"])]
st.altair_chart(alt.Chart(scores).mark_bar().encode(
    x=alt.X("normalized_score:Q", bin=alt.Bin(step=5), title="normalized score"),
    y=alt.Y("count():Q", title="models"),
    facet=alt.Facet("benchmark:N", columns=3)), width="content")

st.subheader("Top models over time")
top = data.top_models_history(suite_version)
if top["published_at"].nunique() < 2:
    st.info("Only one publication so far: the history starts with the next one.")
st.altair_chart(alt.Chart(top).mark_line(point=True).encode(
    x=alt.X("published_at:T", title="published"), y=alt.Y("average:Q", title="average (normalized)"),
    color=alt.Color("model_id:N", title="model"), tooltip=["model_id", "rank", "average", "published_at"]),
    width="stretch")
