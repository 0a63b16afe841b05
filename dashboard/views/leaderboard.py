"""The ranked leaderboard of one track, now or as of an earlier snapshot."""

from pathlib import Path

import streamlit as st

from dashboard import data, live_panel, transforms
from dashboard.transforms import SIZE_STEPS, Filters

try:
    pub = data.publication()
except data.NothingPublished as exc:  # the first run: show what is being evaluated instead
    st.title("Leaderboard")
    live_panel.waiting_for_first_publish(str(exc))
    st.stop()
live_panel.evaluating_now_notice()
tracks = data.tracks()
if tracks.empty:
    st.info("The published snapshot holds no track yet: no model has been evaluated.")
    st.stop()

labels = {t.suite_version: transforms.track_label(t) for _, t in tracks.iterrows()}
history = data.snapshots()
LATEST = 0  # publication sequence numbers start at 1; "latest" follows new publishes
as_of_labels = {LATEST: f"latest · {pub['published_at']:%Y-%m-%d %H:%M:%S} · {pub['snapshot_id']}"}
as_of_labels.update({int(h.seq): f"{h.published_at:%Y-%m-%d %H:%M:%S} · {h.snapshot_id}"
                     for h in history.iloc[1:].itertuples()})  # the first row is the latest publication

track_col, as_of_col = st.columns([3, 2])
suite_version = track_col.selectbox("Track", list(labels), index=transforms.default_track(tracks),
                                    format_func=labels.get, key="track")
as_of = as_of_col.selectbox("As of", list(as_of_labels), key="as_of", format_func=as_of_labels.get,
                            help="Show the leaderboard as it was published then (every publication is kept).")
track = tracks.set_index("suite_version").loc[suite_version]

if as_of == LATEST:
    published_at, snapshot_id, formula, file = pub["published_at"], pub["snapshot_id"], pub["formula"], None
else:
    chosen = history.set_index("seq").loc[as_of]
    published_at, snapshot_id, formula = chosen["published_at"], chosen["snapshot_id"], chosen["formula"]
    file = data.snapshot_file(chosen["file"])

st.title(f"Leaderboard · {track['suite']}")
st.caption(f"Published {published_at:%Y-%m-%d %H:%M:%S %Z} · snapshot {snapshot_id} · "
           f"suite version {suite_version}. {track['description'] or ''}")
with st.expander(f"How scores and ranks are computed (formula v{pub['formula_version']})"):
    st.code(formula.replace("; ", "\n"), language=None, wrap_lines=True)

frame = data.leaderboard_frame(suite_version, file)
if frame.empty:
    st.info("This track was not part of the snapshot published then." if file
            else "No model has been evaluated on this track yet.")
    st.stop()

with st.expander("Filters", expanded=True):
    type_col, precision_col, license_col = st.columns(3)
    model_types = type_col.multiselect("Model type", transforms.choices(frame["Type"], transforms.MODEL_TYPES),
                                       key="model_types", placeholder="all")
    precisions = precision_col.multiselect("Precision", transforms.choices(frame["Precision"]),
                                           key="precisions", placeholder="all")
    licenses = license_col.multiselect("License", transforms.choices(frame["License"]),
                                       key="licenses", placeholder="all")
    size_col, incomplete_col = st.columns([3, 1], vertical_alignment="bottom")
    size_b = size_col.select_slider(
        "Size (billions of parameters)", SIZE_STEPS, value=(SIZE_STEPS[0], SIZE_STEPS[-1]), key="size",
        format_func=lambda b: "∞" if b == SIZE_STEPS[-1] else f"{b:g}B",
        help="Models of unknown size are shown only with the full range.")
    hide_incomplete = incomplete_col.toggle("Hide incomplete", key="hide_incomplete",
                                            help="Hide models without a score on every benchmark of the track.")

search_col, columns_col, raw_col = st.columns([3, 3, 1], vertical_alignment="bottom")
search = search_col.text_input("Search models", key="search", placeholder="all terms must match, e.g. qwen 7b")
optional = transforms.optional_columns(frame)
chosen_columns = columns_col.multiselect("Columns", optional, default=[c for c in optional if c != "Evaluated"],
                                         key="columns")
raw = raw_col.toggle("Raw scores", key="raw",
                     help="Show each benchmark's raw metric instead of the normalized 0-100 score.")

filters = Filters(search=search, model_types=tuple(model_types), precisions=tuple(precisions),
                  licenses=tuple(licenses), size_b=tuple(size_b), hide_incomplete=hide_incomplete)
mask = transforms.filter_mask(frame, filters)
columns = transforms.visible_columns(frame, chosen_columns)
table = transforms.view(frame, mask, columns, raw)

n_ranked = int(frame["Rank"].notna().sum())
st.caption(f"{len(table)} of {len(frame)} models shown ({n_ranked} ranked). Rank is tie-aware: 1 + the number of "
           "models whose 95% CI lies entirely above this one's; models without a rank miss a benchmark. "
           + ("Benchmark columns: raw metric values. " if raw else "Benchmark columns: normalized 0-100. ")
           + "Average is always over normalized scores. Hover a benchmark's header for its item count n; "
           "each score's 95% interval is on the model's page. Click a column header to sort.")
if table.empty:
    st.info("No model matches these filters.")
else:
    score_format = "%.3f" if raw else "%.1f"
    st.dataframe(table, hide_index=True, key="board", column_config={
        "Rank": st.column_config.NumberColumn(format="%d", width="small"),
        "CI low": st.column_config.NumberColumn(format="%.1f", help="95% CI of the average, lower bound"),
        "CI high": st.column_config.NumberColumn(format="%.1f", help="95% CI of the average, upper bound"),
        "Parameters (B)": st.column_config.NumberColumn(format="%.2f"),
        "Average": st.column_config.NumberColumn(format="%.1f"),
        **{title: st.column_config.NumberColumn(format=score_format, help=transforms.benchmark_help(frame, title))
           for title in transforms.benchmark_titles(frame)},
        "Pareto": st.column_config.CheckboxColumn(help="On the Pareto frontier of score against size"),
        "Evaluated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "Hub": st.column_config.LinkColumn(display_text="🤗 Hub", help="The model's Hub page"),
        "Details": st.column_config.LinkColumn(display_text="open", help="Scores, samples and history"),
    })

st.subheader("Downloads")
stem = f"leaderboard-{track['suite']}-{snapshot_id}"
published_file = Path(data.snapshot_path())
download_cols = st.columns(4)
download_cols[0].download_button("Published DuckDB file", published_file.read_bytes, file_name="leaderboard.duckdb",
                                 mime="application/octet-stream", on_click="ignore", key="download_duckdb")
for column, fmt, mime in zip(download_cols[1:], ("parquet", "csv", "json"),
                             ("application/vnd.apache.parquet", "text/csv", "application/json")):
    column.download_button(f"This view as {fmt.upper()}", lambda fmt=fmt: transforms.export(table, fmt),
                           file_name=f"{stem}.{fmt}", mime=mime, on_click="ignore", key=f"download_{fmt}")
