"""Render time of the leaderboard page with N models, in Debian's headless Chromium.

    .venvs/platform/bin/python bench/dashboard_render.py [--models 10000] [--benchmarks 6] [--repeat 5]

Publishes an N-model snapshot through the real path (warehouse.upsert_results, then publish()),
starts `streamlit run dashboard/app.py` on a free loopback port and, in headless Chromium, times:
  first render   page load until the ranked table holds every row (fresh browser page each time;
                 the first one also pays the server's cold cache),
  filter change  a click on "Hide incomplete", a model-type choice or a search, until the table
                 holds the filtered rows.
"Holds the rows" is read from the data grid's accessible table (aria-rowcount = rows + header),
which Streamlit's grid updates when it has drawn the new data. The time to the page title (h1) is printed too: it is Streamlit's own start-up (its JavaScript
bundle, the websocket, the first script run), which the table adds to. Prints figures; it is
not a test. The machine's load average is printed with them: on a shared machine it dominates.
Targets: first render < 3 s, filter change < 1 s."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.browser import TABLE, chromium, serve_dashboard  # noqa: E402

RUN_AT = "2026-01-01T00:00:00+00:00"
SUITE_VERSION = "bench-render"
MODEL_TYPES = ["pretrained", "fine-tuned", "chat", "merge", "adapter", None]
PRECISIONS = ["bfloat16", "float16", "float32"]
LICENSES = ["apache-2.0", "mit", "llama3", None]
INCOMPLETE_SHARE = 0.05  # these models miss the last benchmark


def build(home: Path, n_models: int, n_bench: int, seed: int = 0) -> dict:
    """The warehouse with N models (typed metadata, some incomplete), published. Returns counts."""
    from leaderboard import warehouse
    from leaderboard.publish import publish

    rng = np.random.default_rng(seed)
    ids = np.array([f"org{i % 97:02d}/model-{i:06d}" for i in range(n_models)], dtype=object)
    types = rng.choice(np.array(MODEL_TYPES, dtype=object), n_models)
    incomplete = rng.random(n_models) < INCOMPLETE_SHARE
    with warehouse.connect(home / "warehouse.duckdb") as con:
        con.execute("INSERT INTO suite_versions VALUES (?, 'bench', 'dashboard render bench', 'h', '[]', ?)",
                    [SUITE_VERSION, RUN_AT])
        for b in range(n_bench):
            con.execute("INSERT INTO suite_benchmarks VALUES (?, ?, 1, ?, 'f', 'acc,none', ?, 200, 'x', 'y')",
                        [SUITE_VERSION, f"bench_{b}", f"Bench {b}", 0.0 if b % 3 == 0 else 0.25])
        models = pa.table({
            "model_id": ids, "revision": ["main"] * n_models, "source": ["hub"] * n_models,
            "architecture": ["LlamaForCausalLM"] * n_models,
            "parameters": rng.integers(100, 200_000, n_models) * 1_000_000,
            "precision": rng.choice(PRECISIONS, n_models), "license": rng.choice(np.array(LICENSES, dtype=object), n_models),
            "model_type": types, "hub_url": [f"https://huggingface.co/{m}" for m in ids]})
        con.register("incoming_models", models)
        con.execute("INSERT INTO models BY NAME SELECT * FROM incoming_models")
        con.unregister("incoming_models")

        keep = np.repeat(~incomplete, n_bench) | (np.tile(np.arange(n_bench), n_models) < n_bench - 1)
        skill = np.repeat(rng.uniform(0.1, 0.95, n_models), n_bench)
        score = np.clip(skill + rng.normal(0, 0.05, n_models * n_bench), 0, 1)[keep]
        model_col = np.repeat(ids, n_bench)[keep]
        bench_col = np.tile(np.array([f"bench_{b}" for b in range(n_bench)], dtype=object), n_models)[keep]
        n = len(score)
        results = pa.table({
            "result_id": [f"r{i}" for i in range(n)], "model_id": model_col, "revision": ["main"] * n,
            "suite": ["bench"] * n, "suite_version": [SUITE_VERSION] * n, "benchmark": bench_col,
            "benchmark_version": pa.array(np.ones(n, dtype=np.int32)), "primary_metric": ["acc,none"] * n,
            "score": score, "stderr": np.sqrt(score * (1 - score) / 200), "n_samples": pa.array(np.full(n, 200, np.int32)),
            "metrics": ["{}"] * n, "evaluated_at": [RUN_AT] * n, "run_id": ["bench"] * n, "document": ["{}"] * n,
        }, schema=warehouse._RESULTS_SCHEMA)
        warehouse.upsert_results(con, results, warehouse._SAMPLES_SCHEMA.empty_table())
        publish(con, home / "published" / "leaderboard.duckdb", RUN_AT)
    return {"models": n_models, "complete": int((~incomplete).sum()), "chat": int((types == "chat").sum())}


def wait_rows(page, rows: int, timeout_ms: float = 30_000) -> None:
    """Until the data grid's accessible table says it holds `rows` data rows."""
    page.wait_for_function(
        "n => document.querySelector('[role=grid]')?.getAttribute('aria-rowcount') === String(n)",
        arg=rows + 1, timeout=timeout_ms)


def first_render(browser, url: str, rows: int) -> tuple[float, float]:
    """Seconds from navigation to the page title (Streamlit's own start-up) and to the full table."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("h1", state="attached", timeout=60_000)
        shell = time.perf_counter() - start
        page.wait_for_selector(TABLE, state="attached", timeout=60_000)
        wait_rows(page, rows)
        return shell, time.perf_counter() - start
    finally:
        page.close()


def timed(page, action, rows: int) -> float:
    start = time.perf_counter()
    action()
    wait_rows(page, rows)
    return time.perf_counter() - start


def summary(label: str, seconds: list[float], target: float) -> None:
    shown = " ".join(f"{s:.3f}" for s in seconds)
    print(f"{label:34s} median {statistics.median(seconds):6.3f} s  max {max(seconds):6.3f} s  "
          f"(target < {target:g} s)  runs: {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--benchmarks", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--home", type=Path, help="default: a fresh temporary folder")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    start = time.perf_counter()
    counts = build(home, args.models, args.benchmarks)
    print(f"setup: published {counts['models']} models × {args.benchmarks} benchmarks "
          f"({counts['complete']} complete) in {time.perf_counter() - start:.1f} s ({home})")

    with serve_dashboard(home) as url, chromium() as browser:
        loads = [first_render(browser, url, counts["models"]) for _ in range(args.repeat)]
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url)
        wait_rows(page, counts["models"], 60_000)
        hide, show, chat, unchat, search, unsearch = [], [], [], [], [], []
        toggle = page.get_by_text("Hide incomplete", exact=True)
        search_box = page.get_by_placeholder("all terms must match, e.g. qwen 7b")
        for _ in range(args.repeat):
            hide.append(timed(page, toggle.click, counts["complete"]))
            show.append(timed(page, toggle.click, counts["models"]))
            search.append(timed(page, lambda: (search_box.fill("org05 model-0"), search_box.press("Enter")),
                                sum(1 for i in range(args.models) if i % 97 == 5 and i < 100_000)))
            unsearch.append(timed(page, lambda: (search_box.fill(""), search_box.press("Enter")), counts["models"]))

        model_type = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Model type")

        def choose_chat():
            model_type.locator("input").click()
            page.keyboard.type("chat")
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")

        def clear_types():
            model_type.get_by_role("button", name="Clear all").click()
        for _ in range(args.repeat):
            chat.append(timed(page, choose_chat, counts["chat"]))
            unchat.append(timed(page, clear_types, counts["models"]))
        page.screenshot(path=str(home / "leaderboard.png"))

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"leaderboard page, {counts['models']} models, headless Chromium ({args.repeat} runs each; "
          f"{os.cpu_count()} CPUs, load average {load}):")
    shells, tables = [s for s, _ in loads], [t for _, t in loads]
    summary("first render (cold server cache)", tables[:1], 3)
    summary("first render (warm)", tables[1:] or tables, 3)
    summary("  of which: page title shown", shells[1:] or shells, 3)
    summary("filter: hide incomplete on", hide, 1)
    summary("filter: hide incomplete off", show, 1)
    summary("filter: model type = chat", chat, 1)
    summary("filter: clear model type", unchat, 1)
    summary("search: 2 terms", search, 1)
    summary("search: cleared", unsearch, 1)


if __name__ == "__main__":
    main()
