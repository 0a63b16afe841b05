"""The ranked leaderboard of one track."""

import streamlit as st

from dashboard import data, transforms

pub = data.publication()
tracks = data.tracks()
if tracks.empty:
    st.info("The published snapshot holds no track yet: no model has been evaluated.")
    st.stop()

labels = {t.suite_version: transforms.track_label(t) for _, t in tracks.iterrows()}
suite_version = st.selectbox("Track", list(labels), index=transforms.default_track(tracks),
                             format_func=labels.get, key="track")
track = tracks.set_index("suite_version").loc[suite_version]

st.title(f"Leaderboard · {track['suite']}")
st.caption(f"Published {pub['published_at']:%Y-%m-%d %H:%M:%S %Z} · snapshot {pub['snapshot_id']} · "
           f"suite version {suite_version}. {track['description'] or ''}")
with st.expander(f"How scores and ranks are computed (formula v{pub['formula_version']})"):
    st.code(pub["formula"].replace("; ", "\n"), language=None, wrap_lines=True)

search_col, raw_col = st.columns([4, 1], vertical_alignment="bottom")
search = search_col.text_input("Search models", key="search", placeholder="all terms must match, e.g. qwen 7b")
raw = raw_col.toggle("Raw scores", key="raw", help="Show each benchmark's raw metric instead of the normalized 0-100 score.")

board = data.track_leaderboard(suite_version)
benchmarks = data.track_benchmarks(suite_version)
ranked = transforms.ranked_table(board, data.track_scores(suite_version), benchmarks, raw=raw)
ranked = ranked[transforms.matches(ranked["Model"], search)]

score_format = "%.3f" if raw else "%.1f"
st.subheader("Ranked")
st.caption("Rank is tie-aware: 1 + the number of models whose 95% CI lies entirely above this one's. "
           + ("Benchmark columns: raw metric values. " if raw else "Benchmark columns: normalized 0-100. ")
           + "Average is always over normalized scores.")
if ranked.empty:
    st.info("No ranked model matches." if search.strip() else "No model has completed this track yet.")
else:
    st.dataframe(ranked, hide_index=True, column_config={
        **{title: st.column_config.NumberColumn(format=score_format) for title in benchmarks["title"]},
        "Average": st.column_config.NumberColumn(format="%.1f"),
        "Evaluated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    })

incomplete = transforms.incomplete_table(board)
incomplete = incomplete[transforms.matches(incomplete["Model"], search)]
if not incomplete.empty:
    st.subheader("Not ranked (incomplete)")
    st.dataframe(incomplete, hide_index=True, column_config={
        "Evaluated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    })
