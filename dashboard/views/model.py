"""One model: its scores per benchmark, the results manifest, and every judged sample."""

import json

import streamlit as st

from dashboard import data

models = data.model_ids()
if not models:
    st.info("No model has results in the published snapshot yet.")
    st.stop()

# The `model` query parameter selects the model, and follows the selection.
wanted = st.query_params.get("model")
if wanted in models and st.session_state.get("model") != wanted:
    st.session_state["model"] = wanted
elif st.session_state.get("model") not in models:
    st.session_state.pop("model", None)
model_id = st.selectbox("Model", models, key="model",
                        on_change=lambda: st.query_params.update(model=st.session_state["model"]))
st.query_params["model"] = model_id

runs = data.model_tracks(model_id)
run_index = st.selectbox(
    "Track and revision", range(len(runs)), key="model_track",
    format_func=lambda i: f"{runs.suite[i]} · {runs.suite_version[i]} · revision {runs.revision[i][:12]}")
run = runs.iloc[run_index]
suite_version, revision = run["suite_version"], run["revision"]

st.title(model_id)
info = data.model_info(model_id, revision)
if info:
    params = f"{info['parameters'] / 1e6:,.0f}M parameters" if info["parameters"] else "parameters unknown"
    st.caption(f"{info['architecture']} · {params} · {info['precision']} · license {info['license'] or 'unknown'} · "
               f"source {info['source']} · revision {revision}")

standing = data.model_standing(model_id, suite_version, revision)
if standing is None:
    st.warning("This revision is not the one on the leaderboard for this track (a later revision was evaluated).")
elif standing["complete"]:
    st.markdown(f"**Rank {int(standing['rank'])}** on {run['suite']} · average {standing['average']:.1f} "
                f"± {1.96 * standing['average_stderr']:.1f} (95% CI)")
else:
    st.warning(f"Not ranked on this track: missing {', '.join(standing['missing_benchmarks'])}.")

results = data.model_results(model_id, suite_version, revision)
st.subheader("Scores")
st.dataframe(
    results[["benchmark", "title", "primary_metric", "raw_score", "raw_stderr", "normalized_score",
             "normalized_stderr", "n_samples", "evaluated_at"]],
    hide_index=True, column_config={
        "raw_score": st.column_config.NumberColumn("raw", format="%.4f"),
        "raw_stderr": st.column_config.NumberColumn("raw stderr", format="%.4f"),
        "normalized_score": st.column_config.NumberColumn("normalized", format="%.2f"),
        "normalized_stderr": st.column_config.NumberColumn("normalized stderr", format="%.2f"),
        "evaluated_at": st.column_config.DatetimeColumn("evaluated", format="YYYY-MM-DD HH:mm"),
    })

st.subheader("Manifest")
manifest_benchmark = st.selectbox("Result of benchmark", results["benchmark"].tolist(), key="manifest_benchmark")
result = results.set_index("benchmark").loc[manifest_benchmark]
document = json.loads(result["document"])
st.caption(f"result {result['result_id']} · run {result['run_id']}")
for column, part in zip(st.columns(3), ("versions", "runtime", "timings")):
    column.markdown(f"**{part}**")
    column.json(document.get(part, {}))
with st.expander("Full results document"):
    st.json(document)

st.subheader("Samples")
verdict_col, bench_col = st.columns(2)
verdict = verdict_col.selectbox("Verdict", ["all", "correct", "incorrect"], key="verdict")
bench = bench_col.selectbox("Benchmark", ["all", *results["benchmark"]], key="sample_benchmark")
samples = data.model_samples(model_id, suite_version, revision,
                             verdict=None if verdict == "all" else verdict,
                             benchmark=None if bench == "all" else bench)
st.caption(f"{len(samples)} samples")
if samples.empty:
    st.info("No sample matches these filters.")
else:
    st.dataframe(samples, hide_index=True)
    pick = st.selectbox("Read one sample", range(len(samples)), key="sample",
                        format_func=lambda i: f"{samples.benchmark[i]} #{samples.doc_id[i]} ({samples.verdict[i]})")
    sample = samples.iloc[pick]
    for field in ("prompt", "output", "extracted", "target"):
        if isinstance(sample[field], str):
            st.markdown(f"**{field}**")
            st.code(sample[field], language=None, wrap_lines=True)
