"""The main job, end to end: `scripts/run.sh` (what `make run` runs) in a temporary home on free
ports: Airflow standalone, Streamlit, the demo quality ladder submitted through the CLI on the
demo suite. While it runs, headless Chromium reads the Queue page; afterwards the published
leaderboard must rank the ladder in its known order, each rung at its own rank."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from leaderboard.demo import ladder_model_ids
from tests.browser.browser import TABLE, chromium
from tests.helpers import REPO, free_port, query

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
RUN_TIMEOUT_S = 40 * 60
ARTIFACTS = REPO / "test-artifacts"


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def main_job(demo_models, tmp_path_factory):
    """run.sh started in the background; yields (process, env, urls); stops everything after."""
    home = tmp_path_factory.mktemp("main-job")
    env = {**os.environ, "LEADERBOARD_HOME": str(home), "AIRFLOW_HOME": str(home / "airflow"),
           "AIRFLOW_PORT": str(free_port()), "STREAMLIT_PORT": str(free_port()),
           "LEADERBOARD_MODELS_DIR": str(demo_models)}
    for name in ("AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__CORE__PLUGINS_FOLDER"):
        env.pop(name, None)  # airflow_env.sh sets them to the repo's folders
    log = (home / "run.log").open("w")
    process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=REPO, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield {"process": process, "env": env, "home": home, "log": home / "run.log",
               "streamlit": f"http://127.0.0.1:{env['STREAMLIT_PORT']}"}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        subprocess.run(["bash", "scripts/stop.sh"], cwd=REPO, env=env, capture_output=True)
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "main-job-run.log").write_text((home / "run.log").read_text(errors="replace"))


def wait_for(predicate, timeout_s: float, what: str, process: subprocess.Popen, log: Path, poll_s: float = 2.0):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if process.poll() is not None and process.returncode != 0:
            pytest.fail(f"run.sh exited {process.returncode} while waiting for {what}:\n"
                        f"{log.read_text(errors='replace')[-4000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(poll_s)


def test_main_job_ranks_the_ladder_and_shows_progress_while_it_runs(main_job):
    process, log, url = main_job["process"], main_job["log"], main_job["streamlit"]
    ladder = ladder_model_ids()
    live = main_job["home"] / "published" / "live"

    def benchmark_running() -> bool:
        for path in live.glob("*/*.json"):
            try:
                doc = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            if doc.get("state") == "running" and doc.get("items_done", 0) > 0:
                return True
        return False

    wait_for(benchmark_running, 15 * 60, "a benchmark with items done", process, log)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.set_default_timeout(60_000)
        # The first run: no leaderboard published yet, the page shows what is being evaluated.
        page.goto(url)
        page.get_by_text("evaluating", exact=False).first.wait_for()
        screenshot(page, "main-job-leaderboard-first-run")
        page.goto(f"{url}/queue")
        page.locator("h1", has_text="Queue").wait_for()
        page.get_by_text("evaluating", exact=False).first.wait_for()
        # per-benchmark progress: "<done> / <total>" items of a running benchmark
        # the grid's accessible cells are in the DOM but not "visible": read textContent
        page.wait_for_function(
            r"() => [...document.querySelectorAll('[role=gridcell]')].some(c => /^running$/.test(c.textContent.trim()))"
            r" && [...document.querySelectorAll('[role=gridcell]')].some(c => /^\d+\/\d+$/.test(c.textContent.trim()))")
        screenshot(page, "main-job-queue-in-flight")
        assert "evaluating" in page.locator("body").text_content()

        wait_for(lambda: process.poll() is not None, RUN_TIMEOUT_S, "run.sh to finish", process, log, poll_s=5)
        output = log.read_text(errors="replace")
        assert process.returncode == 0, output[-4000:]
        published = main_job["home"] / "published" / "leaderboard.duckdb"
        rows = query(published, "SELECT model_id, rank FROM leaderboard WHERE suite = 'demo' AND complete "
                                "ORDER BY position")
        assert [m for m, _ in rows] == ladder, f"published order {rows}, expected the ladder {ladder}"
        assert [r for _, r in rows] == list(range(1, len(ladder) + 1)), f"ranks are not distinct: {rows}"
        # the CLI printed per-benchmark progress while it waited (plain lines: not a TTY)
        assert re.search(r"arc_easy: running \d+/\d+ items", output), output[-3000:]

        page.goto(url)
        page.wait_for_selector(TABLE, state="attached")
        page.wait_for_function(
            "n => document.querySelector('[role=grid]')?.getAttribute('aria-rowcount') === String(n)",
            arg=len(ladder) + 1)
        shown = []
        for index in range(2, len(ladder) + 2):
            cells = [c.inner_text() for c in
                     page.locator(f'[role="row"][aria-rowindex="{index}"] [role="gridcell"]').all()]
            shown.append(next(m for m in ladder if any(m in c for c in cells)))
        screenshot(page, "main-job-leaderboard")
        assert shown == ladder
        page.goto(f"{url}/queue")
        page.locator("h1", has_text="Queue").wait_for()
        page.get_by_text("completed", exact=False).first.wait_for()
        page.close()
    statuses = query(main_job["home"] / "warehouse.duckdb", "SELECT model_id, status FROM submissions")
    assert sorted(statuses) == sorted((m, "completed") for m in ladder)
    assert not any(live.glob("*/submission.json")), "a publish prunes the live status of finished runs"
