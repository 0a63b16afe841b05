"""Pure table shaping for the pages: no Streamlit, no database."""

from __future__ import annotations

import pandas as pd

DEFAULT_SUITE = "smoke"


def track_label(track: pd.Series) -> str:
    return f"{track['suite']} · {track['suite_version']} ({track['ranked_models']} ranked)"


def default_track(tracks: pd.DataFrame, suite: str = DEFAULT_SUITE) -> int:
    """Row index of the `suite` track with the most ranked models, else 0."""
    candidates = tracks[tracks["suite"] == suite]
    if candidates.empty:
        return 0
    return tracks.index.get_loc(candidates["ranked_models"].idxmax())


def matches(model_ids: pd.Series, search: str) -> pd.Series:
    """True where the id contains every space-separated term of `search` (case-insensitive)."""
    mask = pd.Series(True, index=model_ids.index)
    for term in search.lower().split():
        mask &= model_ids.str.lower().str.contains(term, regex=False)
    return mask


def ci_text(low: float, high: float) -> str:
    return f"[{low:.1f}, {high:.1f}]"


def benchmark_columns(scores: pd.DataFrame, benchmarks: pd.DataFrame, raw: bool) -> pd.DataFrame:
    """One row per model, one column per benchmark (titled), holding the raw or normalized score."""
    value = "raw_score" if raw else "normalized_score"
    wide = scores.pivot(index="model_id", columns="benchmark", values=value)
    wide = wide.reindex(columns=benchmarks["benchmark"])
    wide.columns = benchmarks["title"].tolist()
    return wide


def ranked_table(board: pd.DataFrame, scores: pd.DataFrame, benchmarks: pd.DataFrame,
                 raw: bool = False) -> pd.DataFrame:
    """The complete models in leaderboard order: rank, CI, model, benchmark scores, average."""
    ranked = board[board["complete"]].sort_values(["position", "model_id"])
    table = pd.DataFrame({
        "Rank": ranked["rank"].astype(int),
        "95% CI": [ci_text(lo, hi) for lo, hi in zip(ranked["ci_low"], ranked["ci_high"])],
        "Model": ranked["model_id"],
    })
    per_benchmark = benchmark_columns(scores, benchmarks, raw).reindex(ranked["model_id"])
    per_benchmark.index = table.index
    table = pd.concat([table, per_benchmark], axis=1)
    table["Average"] = ranked["average"]
    table["Evaluated"] = ranked["evaluated_at"]
    return table.reset_index(drop=True)


def incomplete_table(board: pd.DataFrame) -> pd.DataFrame:
    """Models that lack a score on some benchmark of the track: not ranked."""
    rest = board[~board["complete"]].sort_values("model_id")
    return pd.DataFrame({
        "Model": rest["model_id"],
        "Missing benchmarks": [", ".join(m) for m in rest["missing_benchmarks"]],
        "Scored benchmarks": [", ".join(s) for s in rest["scored_benchmarks"]],
        "Evaluated": rest["evaluated_at"],
    }).reset_index(drop=True)
