"""The sandbox's limits, declared once. Each field can be overridden by the environment variable
LEADERBOARD_SANDBOX_<FIELD IN CAPITALS> (e.g. LEADERBOARD_SANDBOX_MEMORY_BYTES=536870912)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields

ENV_PREFIX = "LEADERBOARD_SANDBOX_"


@dataclass(frozen=True)
class SandboxLimits:
    # Per sample (rlimits and the wall clock, applied inside the worker to each forked sample)
    timeout_s: float = 3.0  # default wall-clock limit for a Program that asks for none (<= 0)
    memory_bytes: int = 1 << 30  # RLIMIT_AS of each sample process
    processes: int = 64  # RLIMIT_NPROC: processes of the sandbox user a sample may reach
    file_bytes: int = 16 << 20  # RLIMIT_FSIZE: largest file a sample may write
    open_files: int = 64  # RLIMIT_NOFILE
    output_bytes: int = 4096  # stdout+stderr kept per sample; the rest is counted and dropped
    # Per batch (the container or the bubblewrap sandbox as a whole)
    concurrency: int = 0  # samples run at once; 0 = every core of this machine
    tmpfs_bytes: int = 256 << 20  # size of the sandbox's /tmp
    container_memory_bytes: int = 0  # memory (= memory+swap) of the container; 0 = what the samples may use
    container_pids: int = 512  # pids limit of the sandbox container
    container_cpus: float = 0.0  # CPU quota of the sandbox container, in cores; 0 = every core

    @property
    def workers(self) -> int:
        return self.concurrency or os.cpu_count() or 1

    @property
    def container_memory(self) -> int:
        """Room for every concurrent sample at its address-space limit, the tmpfs and the worker."""
        return self.container_memory_bytes or self.workers * self.memory_bytes + self.tmpfs_bytes + (256 << 20)

    @property
    def cpus(self) -> float:
        return self.container_cpus or float(os.cpu_count() or 1)

    def for_worker(self) -> dict:
        """What the in-sandbox worker applies to each sample."""
        return {name: getattr(self, name) for name in
                ("memory_bytes", "processes", "file_bytes", "open_files", "output_bytes")}


def load_limits() -> SandboxLimits:
    """The defaults above, with LEADERBOARD_SANDBOX_* overrides. A bad value is an error naming it."""
    overrides = {}
    for field in fields(SandboxLimits):
        name = ENV_PREFIX + field.name.upper()
        raw = os.environ.get(name)
        if raw is None or raw == "":
            continue
        kind = float if field.type in ("float", float) else int
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"{name} must be a number ({kind.__name__}), not {raw!r}") from None
        if value < 0:
            raise ValueError(f"{name} must not be negative, not {raw!r}")
        overrides[field.name] = value
    return dataclasses.replace(SandboxLimits(), **overrides)
