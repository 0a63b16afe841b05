"""Runtime settings, read from the environment once per call site (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]


def _path(name: str, default: Path | None) -> Path | None:
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
    # the precision the harness computes in: "auto" (bfloat16 on a GPU, float32 on a CPU), or
    # float32, bfloat16, float16; recorded in every result
    dtype: str = "auto"
    # torch threads per harness process; 0: torch's default (every core). Set it to
    # cores / concurrent benchmarks on a CPU host: oversubscribed threads spin and stall.
    threads: int = 0
    run_timeout_s: int = 6 * 3600  # an evaluate_model run still going after this is failed (dagrun_timeout)

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
    cert_path: Path | None = None  # client TLS for a daemon over TCP: ca.pem, cert.pem, key.pem (as DOCKER_CERT_PATH)

    def tls_files(self) -> dict[str, str] | None:
        """{"ca", "cert", "key"} file paths for a daemon reached over TCP; None for a local socket.

        A daemon's API is root on its host, so one reached over the network without TLS is
        refused (loopback excepted). Raises ValueError naming the setting that is wrong."""
        if self.cert_path is None:
            host = urlsplit(self.url).hostname if "://" in self.url else None
            if self.url.startswith(("tcp://", "http://")) and host not in LOOPBACK_HOSTS:
                raise ValueError(f"LEADERBOARD_DOCKER_URL={self.url} is a remote Docker daemon without TLS: set "
                                 "LEADERBOARD_DOCKER_CERT_PATH to a folder holding ca.pem, cert.pem and key.pem")
            return None
        files = {name: self.cert_path / f"{name}.pem" for name in ("ca", "cert", "key")}
        missing = [str(path) for path in files.values() if not path.is_file()]
        if missing:
            raise ValueError(f"LEADERBOARD_DOCKER_CERT_PATH={self.cert_path} lacks {', '.join(missing)}")
        return {name: str(path) for name, path in files.items()}


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


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
        cert_path=_path("LEADERBOARD_DOCKER_CERT_PATH", None),
    )


DTYPES = ("auto", "float32", "bfloat16", "float16")


def _dtype(value: str) -> str:
    if value not in DTYPES:
        raise ValueError(f"LEADERBOARD_DTYPE={value!r} is not one of {', '.join(DTYPES)}")
    return value


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
        run_timeout_s=int(os.environ.get("LEADERBOARD_RUN_TIMEOUT_S", str(6 * 3600))),
        dtype=_dtype(os.environ.get("LEADERBOARD_DTYPE", "auto")),
        threads=int(os.environ.get("LEADERBOARD_THREADS", "0")),
    )
