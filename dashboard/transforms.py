"""Pure table shaping for the pages: no Streamlit, no database."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pandas as pd

from leaderboard import live

DEFAULT_SUITE = "smoke"
UNKNOWN = "unknown"  # how a NULL model type, precision or license is offered in the filters
MODEL_TYPES = ("pretrained", "fine-tuned", "chat", "merge", "adapter")
STATUSES = ("pending", "validating", "evaluating", "completed", "failed", "rejected")
# Size filter steps, in billions of parameters; the last one is open-ended.
SIZE_STEPS = (0.0, 0.5, 1.0, 3.0, 7.0, 14.0, 35.0, 70.0, 140.0, math.inf)
RAW_SUFFIX = " (raw)"
N_SUFFIX = " (n)"  # per-benchmark item counts: not displayed as columns, told in each column's help

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
    score under its title, its raw score under "<title> (raw)" and its item count n under
    "<title> (n)" (when `scores` has n_samples)."""
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
    for value, suffix in (("normalized_score", ""), ("raw_score", RAW_SUFFIX), ("n_samples", N_SUFFIX)):
        if value not in scores.columns:
            continue
        wide = scores.pivot(index="model_id", columns="benchmark", values=value).reindex(
            index=ids, columns=titles.index)
        for benchmark, title in titles.items():
            column = wide[benchmark].astype(float)
            frame[title + suffix] = column.round().astype("Int64").array if value == "n_samples" else column.to_numpy()
    frame["Missing"] = [", ".join(m) if m is not None and len(m) else None for m in board["missing_benchmarks"]]
    frame["Pareto"] = board["on_pareto_frontier"].astype("boolean")
    frame["Evaluated"] = board["evaluated_at"]
    frame["Hub"] = board["hub_url"]
    frame["Details"] = [model_page_url(m) for m in ids]
    return frame


def benchmark_titles(frame: pd.DataFrame) -> list[str]:
    """The benchmark columns of a leaderboard frame (normalized titles), in order."""
    start, stop = frame.columns.get_loc("Average") + 1, frame.columns.get_loc("Missing")
    return [c for c in frame.columns[start:stop] if not c.endswith((RAW_SUFFIX, N_SUFFIX))]


def item_counts(frame: pd.DataFrame, title: str) -> str:
    """The item count n behind a benchmark column of a leaderboard frame: "n=200", "n=50–200"
    where models differ, "" when unknown."""
    column = title + N_SUFFIX
    if column not in frame.columns:
        return ""
    n = frame[column].dropna()
    if n.empty:
        return ""
    low, high = int(n.min()), int(n.max())
    return f"n={low}" if low == high else f"n={low}–{high}"


def benchmark_help(frame: pd.DataFrame, title: str) -> str:
    """The tooltip of a benchmark column: what the number is and how many items it rests on."""
    n = item_counts(frame, title)
    on = f" on {n} items per model" if n else ""
    return (f"{title}{on}: normalized 0-100 (raw metric with the raw toggle). The 95% interval of each "
            "score (Wilson for right/wrong items, never zero-width) is on the model's page.")


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
    """Per-benchmark scores with their published 95% intervals: ci_low/ci_high on the normalized
    scale (NULL for a revision that is not ranked), and `score` as text, the raw score with its
    interval and item count, e.g. "0.460 [0.39, 0.53] n=200"."""
    out = results.copy()
    out["ci_low"] = results["normalized_ci_low"].astype(float)
    out["ci_high"] = results["normalized_ci_high"].astype(float)
    out["score"] = [format_score(*row) for row in
                    zip(results["raw_score"], results["raw_ci_low"], results["raw_ci_high"], results["n_samples"])]
    return out


def format_score(value, low, high, n) -> str:
    """A score with its 95% interval and item count: "0.460 [0.39, 0.53] n=200" (parts unknown are left out)."""
    def known(x):
        return x is not None and not pd.isna(x)
    text = f"{value:.3f}" if known(value) else "–"
    if known(low) and known(high):
        text += f" [{low:.2f}, {high:.2f}]"
    if known(n):
        text += f" n={int(n)}"
    return text


def reproduce_command(result_id: str) -> str:
    return f"leaderboard reproduce {result_id}"


def status_counts(submissions: pd.DataFrame) -> dict[str, int]:
    """Submissions per status, every status listed in lifecycle order (zero when none)."""
    counts = submissions["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


# --- the queue: published submissions merged with the live status files ----------------------

QUEUE_COLUMNS = ("submission_id", "model_id", "suite", "status", "progress", "elapsed", "reason", "trigger",
                 "submitted_at", "updated_at", "finished_at", "requested_revision", "revision")
QUEUE_TIMES = ("submitted_at", "updated_at", "finished_at")


def _plain(value):
    """A published cell as a live file would hold it: None for NULLs, ISO text for timestamps."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _timestamps(values: pd.Series) -> pd.Series:
    """ISO texts (live files) and timestamps (the snapshot) as one UTC datetime column; NaT when unreadable."""
    return pd.to_datetime(values.astype(object).where(values.notna(), None), utc=True, errors="coerce",
                          format="ISO8601")


def queue_frame(published: pd.DataFrame, live_rows: list[dict], now: pd.Timestamp | None = None) -> pd.DataFrame:
    """Every submission once: the published ones, with the live record in place of the published
    one where there is one (leaderboard.live.merge_submissions), newest update first. Adds
    `progress` (where the benchmarks stand, from the live files) and `elapsed` (since submitted:
    until now while unfinished, until finished_at after)."""
    records = [{k: _plain(v) for k, v in row.items()} for row in published.to_dict("records")]
    merged = live.merge_submissions(records, [r for r in live_rows if isinstance(r.get("submission_id"), str)])
    frame = pd.DataFrame(merged).reindex(columns=[*QUEUE_COLUMNS, "benchmarks"])
    for column in QUEUE_TIMES:
        frame[column] = _timestamps(frame[column])
    frame["updated_at"] = frame["updated_at"].fillna(frame["finished_at"]).fillna(frame["submitted_at"])
    frame["progress"] = [live.submission_summary(b) if isinstance(b, list) else None for b in frame["benchmarks"]]
    now = now if now is not None else pd.Timestamp.now(tz="UTC")
    final = frame["status"].isin(live.FINAL_STATUSES)
    end = frame["finished_at"].where(final, now)
    seconds = (end - frame["submitted_at"]).dt.total_seconds()
    frame["elapsed"] = [live.format_duration(s) or None for s in seconds]
    frame = frame.drop(columns="benchmarks")
    return frame.sort_values(["updated_at", "submission_id"], ascending=[False, True], na_position="last",
                             kind="stable").reset_index(drop=True)


def benchmark_frame(benchmarks: list[dict]) -> pd.DataFrame:
    """One row per benchmark of a live submission: its state, progress (0-1, None when the total
    is unknown), items done / total, phase, elapsed time, score and the reason it failed."""
    return pd.DataFrame({
        "benchmark": [str(b.get("benchmark")) for b in benchmarks],
        "state": [b.get("state") for b in benchmarks],
        "progress": pd.Series([live.fraction_done(b) for b in benchmarks], dtype=float),
        "items": [live.format_items(b) or None for b in benchmarks],
        "phase": [b.get("phase") if b.get("state") == "running" else None for b in benchmarks],
        "elapsed": [live.format_duration(b.get("elapsed_s")) or None for b in benchmarks],
        "score": pd.Series([b.get("score") if isinstance(b.get("score"), (int, float)) else None
                            for b in benchmarks], dtype=float),
        "reason": [b.get("reason") if b.get("state") == "failed" else None for b in benchmarks],
    }, columns=["benchmark", "state", "progress", "items", "phase", "elapsed", "score", "reason"])
