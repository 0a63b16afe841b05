"""Run the dashboard as `streamlit run` does and drive it with Debian's headless Chromium.

Shared by the browser tests and bench/dashboard_render.py. Playwright comes from PyPI; its own
browser download is never used: Chromium is the system's (/usr/bin/chromium)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from tests.helpers import free_port

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"
CHROMIUM = Path(os.environ.get("LEADERBOARD_CHROMIUM", "/usr/bin/chromium"))
# --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
TABLE = '[data-testid="stDataFrame"]'
ARTIFACTS = REPO / "test-artifacts"


@contextmanager
def serve_dashboard(home: Path, timeout_s: float = 60, **env: str) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free loopback port, reading LEADERBOARD_HOME=home.
    Yields the base URL once the server answers its health check; stops it afterwards."""
    port = free_port()
    log = (home / f"streamlit-{port}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env={**os.environ, "LEADERBOARD_HOME": str(home), **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}: {log.name}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} within {timeout_s} s: {log.name}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (the system's), as a Playwright Browser."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise FileNotFoundError(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system_packages.sh)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
