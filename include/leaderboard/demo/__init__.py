"""The demo quality ladder (ladder.yaml): models whose true order is known by construction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

LADDER_PATH = Path(__file__).parent / "ladder.yaml"


@dataclass(frozen=True)
class Rung:
    model_id: str
    kind: str  # trained, noise or random
    strength: float | None = None  # noise scale, as a multiple of each tensor's standard deviation


def load_ladder(path: Path = LADDER_PATH) -> list[Rung]:
    """The rungs, best first."""
    raw = yaml.safe_load(path.read_text())
    return [Rung(r["model_id"], r["kind"], r.get("strength")) for r in raw["rungs"]]


def ladder_model_ids() -> list[str]:
    return [rung.model_id for rung in load_ladder()]
