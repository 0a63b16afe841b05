"""One model: its scores per benchmark, the results manifest, every judged sample, its history."""

import json

import streamlit as st

from dashboard import data, transforms

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
    st.caption(f"{info['model_type'] or 'type unknown'} · {info['architecture']} · {params} · {info['precision']} · "
               f"license {info['license'] or 'unknown'} · source {info['source']} · revision {revision}")
    if info["hub_url"]:
        st.markdown(f"[🤗 Hub page]({info['hub_url']})")

standing = data.model_standing(model_id, suite_version, revision)
if standing is None:
    st.warning("This revision is not the one on the leaderboard for this track (a later revision was evaluated).")
elif standing["complete"]:
    st.markdown(f"**Rank {int(standing['rank'])}** on {run['suite']} · average {standing['average']:.1f} "
                f"± {1.96 * standing['average_stderr']:.1f} (95% CI)")
else:
    st.warning(f"Not ranked on this track: missing {', '.join(standing['missing_benchmarks'])}.")

results = transforms.score_with_ci(data.model_results(model_id, suite_version, revision))
st.subheader("Scores", help="Each score with its 95% interval and the number of items n it rests on: the Wilson "
             "interval for right/wrong items, never zero-width, so a benchmark of few or all-equal items is not "
             "taken as certain (see the formula on the leaderboard page).")
st.dataframe(
    results[["benchmark", "title", "primary_metric", "score", "n_samples", "raw_score", "raw_ci_low", "raw_ci_high",
             "raw_stderr", "normalized_score", "ci_low", "ci_high", "normalized_stderr", "evaluated_at"]],
    hide_index=True, key="scores", column_config={
        "score": st.column_config.TextColumn("raw [95% CI] n", help="The raw score, its 95% interval and n"),
        "n_samples": st.column_config.NumberColumn("n", format="%d", help="Items behind the score"),
        "raw_score": st.column_config.NumberColumn("raw", format="%.4f"),
        "raw_ci_low": st.column_config.NumberColumn("raw 95% CI low", format="%.4f"),
        "raw_ci_high": st.column_config.NumberColumn("raw 95% CI high", format="%.4f"),
        "raw_stderr": st.column_config.NumberColumn("raw stderr", format="%.4f",
                                                    help="As the harness reported it (else of the item scores)"),
        "normalized_score": st.column_config.NumberColumn("normalized", format="%.2f"),
        "ci_low": st.column_config.NumberColumn("95% CI low", format="%.2f", help="Normalized scale"),
        "ci_high": st.column_config.NumberColumn("95% CI high", format="%.2f", help="Normalized scale"),
        "normalized_stderr": st.column_config.NumberColumn(
            "stderr used", format="%.2f", help="Normalized stderr-equivalent of the interval: what the average uses"),
        "evaluated_at": st.column_config.DatetimeColumn("evaluated", format="YYYY-MM-DD HH:mm"),
    })

st.subheader("Manifest")
manifest_benchmark = st.selectbox("Result of benchmark", results["benchmark"].tolist(), key="manifest_benchmark")
result = results.set_index("benchmark").loc[manifest_benchmark]
document = json.loads(result["document"])
st.caption(f"result {result['result_id']} · run {result['run_id']}")
st.markdown("Re-run this result and compare every item (exit 0 when identical):")
st.code(transforms.reproduce_command(result["result_id"]), language="bash")
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
executed = samples["execution_status"].notna().any()
if not executed:  # not a code benchmark: the sandbox columns are empty
    samples = samples.drop(columns=["execution_status", "execution_detail"])
st.caption(f"{len(samples)} samples")
if samples.empty:
    st.info("No sample matches these filters.")
else:
    st.dataframe(samples, hide_index=True, key="samples", column_config={
        "execution_status": st.column_config.TextColumn("execution", help="How the sandbox ended the program"),
    })
    pick = st.selectbox("Read one sample", range(len(samples)), key="sample",
                        format_func=lambda i: f"{samples.benchmark[i]} #{samples.doc_id[i]} ({samples.verdict[i]})")
    sample = samples.iloc[pick]
    for field in ("prompt", "output", "extracted", "target", "execution_detail"):
        if isinstance(sample.get(field), str):
            st.markdown(f"**{field}**" + (f" ({sample['execution_status']})" if field == "execution_detail" else ""))
            st.code(sample[field], language=None, wrap_lines=True)

st.subheader("Rank and score over time")
history = data.model_history(model_id, suite_version)
if history.empty:
    st.info("This model has not been on a published leaderboard of this track.")
else:
    chart_col, table_col = st.columns(2)
    chart_col.line_chart(history, x="published_at", y="average", height=240)
    table_col.dataframe(history[["published_at", "snapshot_id", "revision", "complete", "rank", "average", "ci_low", "ci_high"]],
                        hide_index=True, key="history", column_config={
                            "published_at": st.column_config.DatetimeColumn("published", format="YYYY-MM-DD HH:mm"),
                            "average": st.column_config.NumberColumn(format="%.2f"),
                            "ci_low": st.column_config.NumberColumn(format="%.2f"),
                            "ci_high": st.column_config.NumberColumn(format="%.2f"),
                        })

st.subheader("Submissions")
events = data.submission_events(model_id)
if events.empty:
    st.info("No submission of this model has been recorded.")
else:
    st.dataframe(events, hide_index=True, key="events", column_order=("submission_id", "suite", "status", "reason",
                                                                       "occurred_at"), column_config={
        "occurred_at": st.column_config.DatetimeColumn("at", format="YYYY-MM-DD HH:mm:ss"),
    })
