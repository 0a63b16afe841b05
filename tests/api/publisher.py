"""A publisher loop in its own process, for the readers-during-publish test and the load bench:
    python -m tests.api.publisher ROOT TIMES
alternates org/alpha-7b between two sets of scores in ROOT's warehouse and publishes each time."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from leaderboard import warehouse
from leaderboard.publish import publish
from tests.api.conftest import MODELS, load_model
from tests.unit.builders import make_settings

ALTERNATIVES = ([1, 1, 1, 0], [0, 0, 0, 1])


def republish(root: Path, times: int) -> None:
    settings = make_settings(root)
    start = datetime(2025, 4, 1, tzinfo=timezone.utc)
    spec = MODELS["org/alpha-7b"]
    with warehouse.connect(settings.warehouse_path) as con:
        for i in range(times):
            arc = ALTERNATIVES[i % 2]
            load_model(con, settings, root, "org/alpha-7b", spec[:4] + (arc,) + spec[5:], run_id=f"loop-{i}")
            publish(con, settings.published_path, (start + timedelta(minutes=i)).isoformat())
            print(f"published {i}", flush=True)


if __name__ == "__main__":
    republish(Path(sys.argv[1]), int(sys.argv[2]))
