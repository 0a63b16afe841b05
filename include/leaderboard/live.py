"""Live submission status: small files the pipeline publishes at every transition, so that
readers see a submission from the moment it is registered, and each benchmark's progress while
it runs, without opening the warehouse and without waiting for a leaderboard publish.

    <published>/live/<submission>/submission.json   the lifecycle state (one writer at a time:
                                                     the pooled lifecycle tasks, the listener)
    <published>/live/<submission>/<benchmark>.json  one benchmark's state and items done / total
                                                     (written only by that benchmark's task)

Every file is written to a temporary name and swapped in with os.replace, so a reader sees the
old or the new version. One file per writer means no locks. A publish removes the folders of
submissions whose final state the published snapshot now holds (`prune`), so this folder only
holds what is in flight. Readers (`read_live`) never raise on a missing or corrupt file: they
report it in `problems` and carry on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

LIVE_DIR = "live"
SUBMISSION_FILE = "submission.json"
FINAL_STATUSES = ("completed", "failed", "rejected")
BENCHMARK_STATES = ("queued", "running", "scored", "failed")
HARNESS_PROGRESS_FILE = "progress.json"  # written by the harness into its output folder


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def live_dir(published_dir: Path) -> Path:
    return published_dir / LIVE_DIR


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def submission_dir(published_dir: Path, submission_id: str) -> Path:
    return live_dir(published_dir) / _safe(submission_id)


def write_json_atomic(path: Path, document: dict) -> None:
    """Write a JSON document so that a reader sees the old file or the new one: a temporary name
    unique to this process and thread, then os.replace. Used for every run-folder and live file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)


def write_submission(published_dir: Path, record: dict) -> None:
    """Merge `record` (submission_id required) into the submission's live file. Fields given as
    None keep their earlier value, as the warehouse's upsert does."""
    path = submission_dir(published_dir, record["submission_id"]) / SUBMISSION_FILE
    current = read_json_object(path) or {}
    merged = {**current, **{k: v for k, v in record.items() if v is not None or k not in current}}
    if record.get("status") in ("pending", "validating", "evaluating"):
        merged["reason"] = record.get("reason")
    merged.setdefault("updated_at", utc_now())
    write_json_atomic(path, merged)


def write_benchmark(published_dir: Path, submission_id: str, benchmark: str, state: str, *,
                    items_total: int | None = None, items_done: int | None = None, **extra) -> None:
    """One benchmark's state: queued, running, scored or failed; extra fields (score, stderr,
    reason, phase, started_at) are merged into what the file held."""
    if state not in BENCHMARK_STATES:
        raise ValueError(f"unknown benchmark state {state!r}; expected one of {BENCHMARK_STATES}")
    path = submission_dir(published_dir, submission_id) / f"{_safe(benchmark)}.json"
    current = read_json_object(path) or {}
    document = {**current, **{k: v for k, v in extra.items() if v is not None}, "benchmark": benchmark,
                "state": state, "updated_at": utc_now()}
    if items_total is not None:
        document["items_total"] = items_total
    if items_done is not None:
        document["items_done"] = items_done
    if state == "running":
        document.setdefault("started_at", document["updated_at"])
        document.pop("reason", None)
    write_json_atomic(path, document)


def read_json_object(path: Path) -> dict | None:
    """A JSON object from a file, or None when it is missing, unreadable or not an object."""
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


@dataclass
class LiveView:
    """What the live folder says: submissions (each with its `benchmarks`, a list ordered as
    declared), and the files that could not be read, named, for the reader to show."""

    submissions: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _read_file(path: Path, problems: list[str]) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except FileNotFoundError:  # removed by a prune between listing and reading
        return None
    except (OSError, ValueError) as exc:
        problems.append(f"{path.parent.name}/{path.name} is unreadable ({type(exc).__name__}: {exc})")
        return None
    if not isinstance(value, dict):
        problems.append(f"{path.parent.name}/{path.name} is not a JSON object")
        return None
    return value


def read_live(published_dir: Path) -> LiveView:
    view = LiveView()
    root = live_dir(published_dir)
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir())
    except FileNotFoundError:
        return view
    except OSError as exc:
        view.problems.append(f"the live status folder {root} cannot be listed: {exc}")
        return view
    for folder in folders:
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))
        except OSError:  # pruned meanwhile
            continue
        submission = None
        benchmarks: dict[str, dict] = {}
        for path in files:
            document = _read_file(path, view.problems)
            if document is None:
                continue
            if path.name == SUBMISSION_FILE:
                submission = document
            elif isinstance(document.get("benchmark"), str):
                benchmarks[document["benchmark"]] = document
        if submission is None or not isinstance(submission.get("submission_id"), str):
            if (folder / SUBMISSION_FILE).exists() or benchmarks:
                view.problems.append(f"{folder.name}/{SUBMISSION_FILE} is missing or unreadable")
            continue
        declared = submission.get("benchmarks_declared") or []
        ordered = []
        for entry in declared:
            if not isinstance(entry, dict) or not isinstance(entry.get("benchmark"), str):
                continue
            name = entry["benchmark"]
            ordered.append({"benchmark": name, "state": "queued", "items_done": 0,
                            "items_total": entry.get("items_total"), **benchmarks.pop(name, {})})
        ordered += [benchmarks[name] for name in sorted(benchmarks)]
        for entry in ordered:
            entry["elapsed_s"] = _elapsed(entry)
        view.submissions.append({**submission, "benchmarks": ordered})
    view.submissions.sort(key=lambda s: str(s.get("updated_at") or ""), reverse=True)
    return view


def _elapsed(entry: dict) -> float | None:
    start = entry.get("started_at")
    if not start:
        return None
    end = entry.get("finished_at") if entry.get("state") in ("scored", "failed") else None
    try:
        t0 = datetime.fromisoformat(start)
        t1 = datetime.fromisoformat(end) if end else datetime.now(timezone.utc)
    except (TypeError, ValueError):
        return None
    return round((t1 - t0).total_seconds(), 1)


def prune(published_dir: Path, final: dict[str, str]) -> list[str]:
    """Remove the live folders of submissions whose final status the published snapshot holds:
    `final` maps submission id → its published status. Returns the removed ids."""
    removed = []
    for submission in read_live(published_dir).submissions:
        sid = submission["submission_id"]
        status = submission.get("status")
        if status in FINAL_STATUSES and final.get(sid) == status:
            shutil.rmtree(submission_dir(published_dir, sid), ignore_errors=True)
            removed.append(sid)
    return removed


def merge_submissions(published: Iterable[dict], live: Iterable[dict]) -> list[dict]:
    """The queue readers show: every published submission, with the live record in place of
    the published one where there is one (it is never older), newest update first."""
    by_id = {row["submission_id"]: dict(row) for row in published}
    for record in live:
        by_id[record["submission_id"]] = {**by_id.get(record["submission_id"], {}), **record}
    return sorted(by_id.values(), key=lambda s: (str(s.get("updated_at") or s.get("submitted_at") or "")),
                  reverse=True)


class ProgressMirror:
    """While a benchmark runs, copy the harness's progress file (items done / total) into the
    benchmark's live file about once a second. A context manager; the mirror stops on exit."""

    def __init__(self, published_dir: Path, submission_id: str, benchmark: str, output_dir: Path,
                 items_total: int, interval_s: float = 1.0):
        self.args = (published_dir, submission_id, benchmark)
        self.source = output_dir / HARNESS_PROGRESS_FILE
        self.items_total = items_total
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"progress-{benchmark}", daemon=True)
        self._last: tuple | None = None

    def __enter__(self) -> "ProgressMirror":
        write_benchmark(*self.args, "running", items_total=self.items_total, items_done=0, phase="starting",
                        started_at=utc_now())
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join(timeout=5)
            if exc[0] is None:
                self.copy_once()

    def phase(self, name: str) -> None:
        """A phase after the harness (a code benchmark's sandbox run): all items generated."""
        self._stop.set()
        self._thread.join(timeout=5)
        write_benchmark(*self.args, "running", items_total=self.items_total, items_done=self.items_total,
                        phase=name)

    def copy_once(self) -> None:
        progress = read_json_object(self.source)
        if progress is None:
            return
        done = progress.get("items_done")
        phase = progress.get("phase")
        if (done, phase) == self._last or not isinstance(done, int):
            return
        self._last = (done, phase)
        write_benchmark(*self.args, "running", items_total=self.items_total,
                        items_done=min(done, self.items_total), phase=phase if isinstance(phase, str) else None)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.copy_once()
            except OSError:
                pass  # a progress file is best effort; the next tick tries again


# --- formatting, for the readers (dashboard, API, CLI) -------------------------------------

def count(value) -> int | None:
    """An items count as a file holds it: a non-negative int, else None (never raises)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        return None
    return int(value)


def in_flight(submissions: Iterable[dict]) -> list[dict]:
    """The live submissions that have not reached a final state."""
    return [s for s in submissions if s.get("status") not in FINAL_STATUSES]


def format_duration(seconds) -> str:
    """A short elapsed time: 42s, 3m 05s, 1h 02m; '' when unknown."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds != seconds or seconds < 0:
        return ""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def format_items(entry: dict) -> str:
    """Items done / total of one benchmark entry: '12/50', '12/?' or ''."""
    done, total = count(entry.get("items_done")), count(entry.get("items_total"))
    if done is None and total is None:
        return ""
    return f"{'?' if done is None else done}/{'?' if total is None else total}"


def fraction_done(entry: dict) -> float | None:
    """Items done over items total, in [0, 1]; 1 once scored; None when the total is unknown."""
    if entry.get("state") == "scored":
        return 1.0
    done, total = count(entry.get("items_done")), count(entry.get("items_total"))
    if not total:
        return None
    return min(1.0, (done or 0) / total)


def benchmark_summary(entry: dict, *, elapsed: bool = True) -> str:
    """One benchmark as a line: 'running 12/50 items · generating · 1m 05s', 'scored 0.812 · 3m 10s',
    'failed: harness timed out'."""
    state = str(entry.get("state") or "unknown")
    parts = [state]
    items = format_items(entry)
    if items and state in ("queued", "running"):
        parts[0] += f" {items} items"
    if state == "running" and isinstance(entry.get("phase"), str) and entry["phase"]:
        parts.append(entry["phase"])
    score = entry.get("score")
    if state == "scored" and isinstance(score, (int, float)) and not isinstance(score, bool):
        parts[0] += f" {float(score):.3f}"
    if elapsed:
        took = format_duration(entry.get("elapsed_s"))
        if took:
            parts.append(took)
    text = " · ".join(parts)
    if state == "failed" and entry.get("reason"):
        text += f": {entry['reason']}"
    return text


def submission_summary(benchmarks: list[dict]) -> str:
    """Where a submission's benchmarks stand: '1/3 scored · gsm8k running 12/50'."""
    if not benchmarks:
        return ""
    states = [b.get("state") for b in benchmarks]
    parts = [f"{states.count('scored')}/{len(benchmarks)} scored"]
    if states.count("failed"):
        parts.append(f"{states.count('failed')} failed")
    for entry in benchmarks:
        if entry.get("state") == "running":
            items = format_items(entry)
            parts.append(f"{entry.get('benchmark')} running" + (f" {items}" if items else ""))
    return " · ".join(parts)
