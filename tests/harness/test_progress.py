"""Items done / total: the harness turns lm-eval's request bars into OUT_DIR/progress.json."""

from __future__ import annotations

import json

import lm_eval.models.huggingface as hf_module

from harness_progress import PROGRESS_FILE, ProgressFile, report_progress


def read(tmp_path) -> dict:
    return json.loads((tmp_path / PROGRESS_FILE).read_text())


def test_request_bars_become_items_done(tmp_path, monkeypatch):
    monkeypatch.setattr(hf_module, "tqdm", hf_module.tqdm)  # restored after the test
    progress = ProgressFile(tmp_path, items_total=10)
    report_progress(progress)
    bar = hf_module.tqdm(total=40, desc="Running loglikelihood requests", disable=True)  # 4 choices an item
    doc = read(tmp_path)
    assert (doc["items_done"], doc["items_total"], doc["phase"]) == (0, 10, "loglikelihood")
    bar.update(1)
    bar.update(15)
    bar.close()  # a close always writes, whatever the interval
    assert read(tmp_path)["items_done"] == 4  # 16 of 40 requests: 4 of 10 items


def test_other_bars_and_a_second_install_change_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(hf_module, "tqdm", hf_module.tqdm)
    progress = ProgressFile(tmp_path, items_total=5)
    report_progress(progress)
    report_progress(progress)  # wraps lm-eval's class once, not the wrapper
    assert hf_module.tqdm.__bases__[0].__name__ == "tqdm"
    progress.update(phase="loading model", force=True)
    bar = hf_module.tqdm([1, 2, 3], desc="Tokenizing inputs", disable=True)
    bar.update(3)
    bar.close()
    assert read(tmp_path)["phase"] == "loading model" and read(tmp_path)["items_done"] == 0
