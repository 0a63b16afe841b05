"""Helpers shared by the end-to-end and docker tests (no side effects on import)."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
SMOLLM = "HuggingFaceTB/SmolLM2-135M-Instruct"


SAFETENSORS_WIDTHS = {"BF16": 2, "F16": 2, "F32": 4}


def safetensors_bytes(tensors: dict[str, tuple[str, list[int]]]) -> bytes:
    """A minimal valid safetensors file: u64 LE header length, JSON header, zeroed data."""
    header, offset = {}, 0
    for name, (dtype, shape) in tensors.items():
        size = SAFETENSORS_WIDTHS[dtype]
        for dim in shape:
            size *= dim
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + bytes(offset)


def wait_until_healthy(url: str, process: subprocess.Popen, timeout_s: float, poll_s: float = 0.5) -> bool:
    """Poll GET url until it answers 200: True; False once the process has exited or time is up."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(poll_s)


def airflow_standalone_env(root: Path, api_port: int, name: str) -> dict[str, str]:
    """The environment of an `airflow standalone` under root/airflow on a loopback port, with the
    repo's DAGs and plugins, user admin:admin and a fresh JWT secret (prefixed with name)."""
    import sys

    python_bin = Path(sys.executable).parent
    return {
        **os.environ, "PATH": f"{python_bin}:{os.environ['PATH']}", "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"), "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port), "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__API_AUTH__JWT_SECRET": f"{name}-" + os.urandom(8).hex(),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_evaluate_model(dagbag, **conf):
    # Every param explicit: dag.test() on a reused DAG object keeps the previous run's conf.
    return dagbag.get_dag("evaluate_model").test(run_conf={"suite": "ci", "revision": "main", "rerun": False, **conf})


@contextmanager
def environment(**variables: str):
    """Set environment variables for the block only (the DAG reads its settings from them)."""
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def query(path: Path, sql: str, params=None) -> list[tuple]:
    """Read a DuckDB file read-only and close it at once."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
