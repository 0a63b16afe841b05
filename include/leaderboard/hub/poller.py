"""Polling the Hub for new models: every new (model, sha) is queued once.

The listing is sorted by last modification, newest first. The persisted state holds a
watermark (the newest modification time seen) and the sha last seen per model. A poll reads
until it passes the watermark (less an overlap, for clock skew and ties) and keeps the models
whose sha it has not seen. The new state is written beside the old one and swapped in only
after the runs were queued (commit), so a failed poll is simply repeated; the run ids are
derived from (model, sha, suite), so repeating it never queues a model twice.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from huggingface_hub import HfApi

from leaderboard.hub.config import HubConfig
from leaderboard.submissions import run_id_for

OVERLAP = timedelta(minutes=10)
LISTING_FIELDS = ["sha", "lastModified", "createdAt", "private", "gated", "author"]


@dataclass(frozen=True)
class Filters:
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    task: str | None = None
    library: str | None = None


@dataclass
class PollState:
    watermark: datetime | None
    seen: dict[str, str]  # model id -> the sha last sensed

    @classmethod
    def load(cls, path: Path) -> "PollState":
        if not path.is_file():
            return cls(None, {})
        doc = json.loads(path.read_text())
        return cls(datetime.fromisoformat(doc["watermark"]) if doc["watermark"] else None, doc["seen"])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"watermark": self.watermark.isoformat() if self.watermark else None,
                                   "seen": self.seen}))
        tmp.replace(path)


@dataclass(frozen=True)
class Sensed:
    model_id: str
    sha: str
    last_modified: datetime | None


def state_path(home: Path) -> Path:
    return home / "hub" / "poll_state.json"


def pending_path(home: Path, run_id: str) -> Path:
    return home / "hub" / f"poll_state.{re.sub(r'[^A-Za-z0-9._-]', '_', run_id)}.pending.json"


def sense(api: HfApi, state: PollState, filters: Filters, opt_out: frozenset[str] = frozenset(),
          backfill: bool = True) -> tuple[list[Sensed], PollState]:
    """The new (model, sha) pairs since `state`, and the state after them. On the first poll
    (no watermark) without backfill, everything listed is recorded as seen and nothing is new."""
    first = state.watermark is None
    stop_before = None if first else state.watermark - OVERLAP
    seen = dict(state.seen)
    watermark = state.watermark
    new: list[Sensed] = []
    wanted_tags = list(filters.tags) + ([filters.library] if filters.library else [])
    for author in filters.authors or (None,):
        listing = api.list_models(author=author, filter=wanted_tags or None, pipeline_tag=filters.task,
                                  sort="last_modified", expand=LISTING_FIELDS)
        for model in listing:
            modified = model.last_modified
            if stop_before is not None and modified is not None and modified < stop_before:
                break  # sorted newest first: everything after this was seen by an earlier poll
            if modified is not None and (watermark is None or modified > watermark):
                watermark = modified
            if not model.sha or seen.get(model.id) == model.sha:
                continue
            seen[model.id] = model.sha
            if model.id.split("/", 1)[0].lower() in opt_out or (first and not backfill):
                continue
            new.append(Sensed(model.id, model.sha, modified))
    return new, PollState(watermark, seen)


def plan_poll(api: HfApi, config: HubConfig, home: Path, run_id: str, filters: Filters, suite: str,
              backfill: bool) -> list[dict]:
    """Sense, keep the new state as pending, and return one evaluate_model trigger per new model."""
    new, after = sense(api, PollState.load(state_path(home)), filters, config.opt_out, backfill)
    after.save(pending_path(home, run_id))
    return [{"trigger_run_id": run_id_for("poll", s.model_id, s.sha, suite),
             "conf": {"model_id": s.model_id, "revision": s.sha, "suite": suite}} for s in new]


def commit_poll(home: Path, run_id: str) -> None:
    """The runs are queued: the pending state becomes the state (older, abandoned ones go)."""
    os.replace(pending_path(home, run_id), state_path(home))
    for stale in state_path(home).parent.glob("poll_state.*.pending.json"):
        stale.unlink(missing_ok=True)
