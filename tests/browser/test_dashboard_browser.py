"""The dashboard in a real browser: `streamlit run` in a subprocess, Debian's headless Chromium
driven by Playwright. Screenshots go to test-artifacts/ (kept by CI as artefacts).

Streamlit's data grid draws on a canvas; what it draws is mirrored in an accessible table
(role=grid, aria-rowcount = rows + header, one role=gridcell per visible cell), which is what
these tests read. The element is attached but not "visible" to Playwright, hence state="attached"."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser.browser import ARTIFACTS, TABLE, chromium, serve_dashboard
from tests.helpers import SMOLLM

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    return page


def wait_rows(page, rows: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('[role=grid]')?.getAttribute('aria-rowcount') === String(n)", arg=rows + 1)


def cell(page, text: str):
    return page.locator('[role="gridcell"]', has_text=text).first


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path


def model_url(base: str, model_id: str) -> str:
    return f"{base}/model?model={quote(model_id, safe='')}"


def test_leaderboard_filters_and_model_page_render_in_chromium(browser, tmp_path):
    from tests.dashboard.dashboard_snapshot import build_snapshot

    build_snapshot(tmp_path)
    with serve_dashboard(tmp_path) as url:
        page = open_page(browser, url)
        page.wait_for_selector(TABLE, state="attached")
        wait_rows(page, 4)
        assert page.locator("h1").first.inner_text().startswith("Leaderboard")
        for model in ("acme/strong-7b", "acme/mid-1b", "other/weak-tiny", "other/partial-3b"):
            cell(page, model).wait_for(state="attached")
        first_row = [c.inner_text() for c in page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').all()]
        assert first_row[0] == "1" and "acme/strong-7b" in first_row
        screenshot(page, "leaderboard")

        page.get_by_text("Hide incomplete", exact=True).click()
        wait_rows(page, 3)
        assert page.locator('[role="gridcell"]', has_text="other/partial-3b").count() == 0
        search = page.get_by_placeholder("all terms must match, e.g. qwen 7b")
        search.fill("acme 7b")
        search.press("Enter")
        wait_rows(page, 1)
        cell(page, "acme/strong-7b").wait_for(state="attached")
        screenshot(page, "leaderboard-filtered")

        page.goto(model_url(url, "acme/strong-7b"))
        page.locator("h1", has_text="acme/strong-7b").wait_for()
        page.get_by_text("leaderboard reproduce ", exact=False).first.wait_for()
        page.get_by_role("heading", name="Samples").wait_for()
        page.get_by_role("heading", name="Rank and score over time").wait_for()
        assert page.locator(TABLE).count() >= 4  # scores, samples, history, submissions
        screenshot(page, "model")

        page.goto(f"{url}/queue")
        page.locator("h1", has_text="Queue").wait_for()
        page.wait_for_selector(TABLE, state="attached")
        screenshot(page, "queue")
        page.close()


@pytest.mark.e2e
def test_the_demo_model_ranked_and_its_page_in_chromium(browser, local_ci_runs):
    assert [r.state for r in local_ci_runs["runs"]] == ["success", "success"], "the demo evaluation failed"
    home = local_ci_runs["settings"].home
    assert local_ci_runs["settings"].published_path.is_file()
    with serve_dashboard(home) as url:
        page = open_page(browser, url)
        page.wait_for_selector(TABLE, state="attached")
        wait_rows(page, 1)
        row = [c.inner_text() for c in page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').all()]
        assert row[0] == "1" and SMOLLM in row
        screenshot(page, "demo-leaderboard")

        page.goto(model_url(url, SMOLLM))
        page.locator("h1", has_text=SMOLLM).wait_for()
        page.get_by_text("leaderboard reproduce ", exact=False).first.wait_for()
        page.get_by_role("heading", name="Samples").wait_for()
        cell(page, "Question:").wait_for(state="attached")  # a real prompt in the per-sample browser
        screenshot(page, "demo-model")
        page.close()
