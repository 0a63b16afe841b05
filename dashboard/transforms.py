"""Pure table shaping for the pages: no Streamlit, no database."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pandas as pd

DEFAULT_SUITE = "smoke"
UNKNOWN = "unknown"  # how a NULL model type, precision or license is offered in the filters
MODEL_TYPES = ("pretrained", "fine-tuned", "chat", "merge", "adapter")
STATUSES = ("pending", "validating", "evaluating", "completed", "failed", "rejected")
# Size filter steps, in billions of parameters; the last one is open-ended.
SIZE_STEPS = (0.0, 0.5, 1.0, 3.0, 7.0, 14.0, 35.0, 70.0, 140.0, math.inf)
RAW_SUFFIX = " (raw)"

# Leaderboard columns (the benchmark columns go between "Average" and "Missing").
LEADING = ("Rank", "CI low", "CI high", "Model", "Type", "Parameters (B)", "Precision", "License", "Average")
TRAILING = ("Missing", "Pareto", "Evaluated", "Hub", "Details")
ALWAYS_SHOWN = ("Rank", "Model")  # the column chooser offers every other column


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
    lowered = model_ids.str.lower()
    for term in search.lower().split():
        mask &= lowered.str.contains(term, regex=False)
    return mask


def model_page_url(model_id: str) -> str:
    """The dashboard's own page of a model, relative to the app's root."""
    return f"model?model={quote(model_id, safe='/')}"


def airflow_run_url(base: str, dag_id: str, run_id: str) -> str:
    """The Airflow 3 UI page of one DAG run."""
    return f"{base.rstrip('/')}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def leaderboard_frame(board: pd.DataFrame, scores: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """One typed row per model of a track (numbers stay numbers, so every column sorts properly):
    ranked models in leaderboard order, then the incomplete ones. Each benchmark has its normalized
    score under its title and its raw score under "<title> (raw)"."""
    board = board.sort_values(["complete", "position", "model_id"], ascending=[False, True, True],
                              na_position="last", kind="stable").reset_index(drop=True)
    ids = board["model_id"]
    frame = pd.DataFrame({
        "Rank": board["rank"].astype("Int64"),
        "CI low": board["ci_low"].astype(float),
        "CI high": board["ci_high"].astype(float),
        "Model": ids,
        "Type": board["model_type"],
        "Parameters (B)": board["parameters"].astype(float) / 1e9,
        "Precision": board["precision"],
        "License": board["license"],
        "Average": board["average"].astype(float),
    })
    titles = benchmarks.set_index("benchmark")["title"]
    for value, suffix in (("normalized_score", ""), ("raw_score", RAW_SUFFIX)):
        wide = scores.pivot(index="model_id", columns="benchmark", values=value).reindex(
            index=ids, columns=titles.index)
        for benchmark, title in titles.items():
            frame[title + suffix] = wide[benchmark].astype(float).to_numpy()
    frame["Missing"] = [", ".join(m) if m is not None and len(m) else None for m in board["missing_benchmarks"]]
    frame["Pareto"] = board["on_pareto_frontier"].astype("boolean")
    frame["Evaluated"] = board["evaluated_at"]
    frame["Hub"] = board["hub_url"]
    frame["Details"] = [model_page_url(m) for m in ids]
    return frame


def benchmark_titles(frame: pd.DataFrame) -> list[str]:
    """The benchmark columns of a leaderboard frame (normalized titles), in order."""
    start, stop = frame.columns.get_loc("Average") + 1, frame.columns.get_loc("Missing")
    return [c for c in frame.columns[start:stop] if not c.endswith(RAW_SUFFIX)]


def optional_columns(frame: pd.DataFrame) -> list[str]:
    """What the column chooser offers: every displayed column but rank and model."""
    return [c for c in (*LEADING, *benchmark_titles(frame), *TRAILING) if c not in ALWAYS_SHOWN]


def with_unknown(values: pd.Series) -> pd.Series:
    return values.fillna(UNKNOWN)


def choices(values: pd.Series, declared: tuple[str, ...] = ()) -> list[str]:
    """Filter options: the declared values first, then any other value present (NULL as "unknown")."""
    present = set(with_unknown(values))
    return [*declared, *sorted(present - set(declared))]


@dataclass(frozen=True)
class Filters:
    """What the reader chose. An empty selection means no restriction."""
    search: str = ""
    model_types: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    licenses: tuple[str, ...] = ()
    size_b: tuple[float, float] = (SIZE_STEPS[0], SIZE_STEPS[-1])
    hide_incomplete: bool = False


def filter_mask(frame: pd.DataFrame, f: Filters) -> np.ndarray:
    """Rows of a leaderboard frame that pass every filter. Models of unknown size pass only the full range."""
    mask = np.ones(len(frame), dtype=bool)
    if f.search.strip():
        mask &= matches(frame["Model"], f.search).to_numpy()
    for column, chosen in (("Type", f.model_types), ("Precision", f.precisions), ("License", f.licenses)):
        if chosen:
            mask &= with_unknown(frame[column]).isin(chosen).to_numpy()
    low, high = f.size_b
    if (low, high) != (SIZE_STEPS[0], SIZE_STEPS[-1]):
        size = frame["Parameters (B)"].to_numpy()
        with np.errstate(invalid="ignore"):
            mask &= (size >= low) & (size <= high)
    if f.hide_incomplete:
        mask &= frame["Rank"].notna().to_numpy()
    return mask


def visible_columns(frame: pd.DataFrame, chosen: list[str]) -> list[str]:
    """The displayed columns in their fixed order: rank, model, then what the chooser kept."""
    keep = set(chosen) | set(ALWAYS_SHOWN)
    return [c for c in (*LEADING, *benchmark_titles(frame), *TRAILING) if c in keep]


def view(frame: pd.DataFrame, mask: np.ndarray, columns: list[str], raw: bool) -> pd.DataFrame:
    """The rows and columns shown. With `raw`, benchmark columns hold raw metrics."""
    rows = frame[mask]
    if raw:
        titles = set(benchmark_titles(frame))
        source = [c + RAW_SUFFIX if c in titles else c for c in columns]
        shown = rows[source]
        shown.columns = columns
    else:
        shown = rows[columns]
    return shown.reset_index(drop=True)


def export(table: pd.DataFrame, fmt: str) -> bytes:
    """The current view as a downloadable file: parquet, csv or json (records, ISO dates)."""
    if fmt == "parquet":
        sink = io.BytesIO()
        table.to_parquet(sink, index=False)
        return sink.getvalue()
    if fmt == "csv":
        return table.to_csv(index=False).encode()
    if fmt == "json":
        return table.to_json(orient="records", date_format="iso", indent=1).encode()
    raise ValueError(f"unknown export format {fmt!r}: expected parquet, csv or json")


def pareto_line(board: pd.DataFrame) -> pd.DataFrame:
    """The frontier points of a track (complete, on_pareto_frontier) in order of size, for drawing."""
    on = board[board["complete"] & board["on_pareto_frontier"].fillna(False).astype(bool) & board["parameters"].notna()]
    return on.sort_values("parameters")[["model_id", "parameters", "average"]].reset_index(drop=True)


def score_with_ci(results: pd.DataFrame) -> pd.DataFrame:
    """Per-benchmark normalized score with its 95% CI (± 1.96 stderr, clipped to [0, 100])."""
    half = 1.96 * results["normalized_stderr"].fillna(0.0)
    out = results.copy()
    out["ci_low"] = (results["normalized_score"] - half).clip(0, 100)
    out["ci_high"] = (results["normalized_score"] + half).clip(0, 100)
    return out


def reproduce_command(result_id: str) -> str:
    return f"leaderboard reproduce {result_id}"


def status_counts(submissions: pd.DataFrame) -> dict[str, int]:
    """Submissions per status, every status listed in lifecycle order (zero when none)."""
    counts = submissions["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}
