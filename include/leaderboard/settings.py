"""Runtime settings, read from the environment once per call site (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    home: Path  # everything the platform writes lives under here
    benchmarks_dir: Path  # checksummed benchmark data (read-only)
    models_dir: Path  # the local model source: org/name repo folders
    runner: str  # "local" (subprocess of the eval env) or "docker" (one container per benchmark)
    eval_python: Path  # the eval environment's interpreter, for the local runner
    harness_entrypoint: Path
    device: str  # "auto", "cpu" or "cuda"
    batch_size: int
    benchmark_timeout_s: int
    retry_delay_s: int
    docker: "DockerSettings"
    model_source: str = "local"  # "local" (models_dir) or "hub" (the Hugging Face Hub, see leaderboard.hub)

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def published_path(self) -> Path:
        return self.published_dir / "leaderboard.duckdb"


@dataclass(frozen=True)
class DockerSettings:
    """How the docker runner places benchmark containers."""

    url: str  # the Docker daemon: local socket, or a remote GPU node (tcp://host:2376 with TLS)
    gpus: str  # "none", "all", or a count
    queue: str  # Airflow queue of the benchmark tasks, both runners (Celery: the gpu workers listen on it)
    memory: str  # container memory limit, e.g. "8g"
    cpus: float  # hard CPU quota, in cores
    shm_size_bytes: int
    pids_limit: int
    keep_containers: bool  # leave finished containers for inspection (tests, debugging)


def load_docker_settings() -> DockerSettings:
    return DockerSettings(
        url=os.environ.get("LEADERBOARD_DOCKER_URL", "unix://var/run/docker.sock"),
        gpus=os.environ.get("LEADERBOARD_GPUS", "none"),
        queue=os.environ.get("LEADERBOARD_GPU_QUEUE", "default"),
        memory=os.environ.get("LEADERBOARD_CONTAINER_MEMORY", "8g"),
        cpus=float(os.environ.get("LEADERBOARD_CONTAINER_CPUS", "2")),
        shm_size_bytes=int(os.environ.get("LEADERBOARD_CONTAINER_SHM_BYTES", str(2 << 30))),
        pids_limit=int(os.environ.get("LEADERBOARD_CONTAINER_PIDS", "1024")),
        keep_containers=os.environ.get("LEADERBOARD_KEEP_CONTAINERS", "") == "1",
    )


def load_settings() -> Settings:
    home = _path("LEADERBOARD_HOME", REPO_ROOT / "var")
    return Settings(
        home=home,
        benchmarks_dir=_path("LEADERBOARD_BENCHMARKS_DIR", REPO_ROOT.parent / "shared" / "benchmarks"),
        models_dir=_path("LEADERBOARD_MODELS_DIR", home / "models"),
        runner=os.environ.get("LEADERBOARD_RUNNER", "local"),
        eval_python=_path("LEADERBOARD_EVAL_PYTHON", REPO_ROOT / ".venvs" / "eval" / "bin" / "python"),
        harness_entrypoint=REPO_ROOT / "eval_images" / "harness" / "run_benchmark.py",
        device=os.environ.get("LEADERBOARD_DEVICE", "auto"),
        batch_size=int(os.environ.get("LEADERBOARD_BATCH_SIZE", "8")),
        benchmark_timeout_s=int(os.environ.get("LEADERBOARD_BENCHMARK_TIMEOUT_S", "3600")),
        retry_delay_s=int(os.environ.get("LEADERBOARD_RETRY_DELAY_S", "30")),
        docker=load_docker_settings(),
        model_source=os.environ.get("LEADERBOARD_MODEL_SOURCE", "local"),
    )
