"""Items done / total, written to OUT_DIR/progress.json while the harness runs.

lm-eval reports progress only through tqdm bars ("Running loglikelihood requests", "Running
generate_until requests"), one tick per request. `report_progress` swaps the tqdm class that
lm-eval's HF model uses for one that also writes the share of requests done, converted to
items (a multiple-choice item is several requests), to the progress file at most every 0.5 s.
The platform copies that file into the submission's live status (leaderboard.live)."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

PROGRESS_FILE = "progress.json"
MIN_INTERVAL_S = 0.5


class ProgressFile:
    def __init__(self, output_dir: Path, items_total: int):
        self.path = output_dir / PROGRESS_FILE
        self.items_total = items_total
        self.items_done = 0
        self.phase = "loading"
        self._written_at = 0.0

    def update(self, phase: str | None = None, fraction: float | None = None, force: bool = False) -> None:
        if phase is not None:
            self.phase = phase
        if fraction is not None:
            self.items_done = min(self.items_total, int(fraction * self.items_total + 1e-9))
        now = time.monotonic()
        if force or now - self._written_at >= MIN_INTERVAL_S:
            self._written_at = now
            self._write()

    def _write(self) -> None:
        document = {"items_done": self.items_done, "items_total": self.items_total, "phase": self.phase,
                    "updated_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(document))
        os.replace(tmp, self.path)


def report_progress(progress: ProgressFile) -> None:
    """Make lm-eval's HF model report its request bars into `progress`."""
    import lm_eval.models.huggingface as hf_module

    base = hf_module.tqdm
    if getattr(base, "_leaderboard_progress", False):
        base = base.__bases__[0]

    class ReportingTqdm(base):  # type: ignore[misc, valid-type]
        _leaderboard_progress = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            desc = str(kwargs.get("desc") or "")
            self._reports = desc.startswith("Running") and bool(kwargs.get("total"))
            self._done, self._total = 0, kwargs.get("total")  # counted here: a disabled bar does not count
            if self._reports:
                progress.update(phase=desc.removeprefix("Running ").removesuffix(" requests"), fraction=0.0,
                                force=True)

        def update(self, n=1):
            result = super().update(n)
            if self._reports:
                self._done += n or 0
                progress.update(fraction=self._done / self._total)
            return result

        def close(self):
            if getattr(self, "_reports", False):
                progress.update(fraction=self._done / self._total, force=True)
            return super().close()

    hf_module.tqdm = ReportingTqdm
