"""The live status files: writers, the reader that never raises, pruning, the progress mirror."""

from __future__ import annotations

import json
import time

from leaderboard import live


def submission(sid: str = "cli__org--m__main__demo__1", **fields) -> dict:
    return {"submission_id": sid, "model_id": "org/m", "suite": "demo", "status": "pending",
            "updated_at": "2026-12-04T10:00:00+00:00", **fields}


def test_lifecycle_and_benchmarks_are_read_back_in_declared_order(tmp_path):
    sid = "cli__org--m__main__demo__1"
    live.write_submission(tmp_path, submission(sid))
    live.write_submission(tmp_path, {"submission_id": sid, "status": "evaluating", "revision": "abc",
                                     "updated_at": "2026-12-04T10:00:05+00:00",
                                     "benchmarks_declared": [{"benchmark": "arc_easy", "items_total": 2376},
                                                             {"benchmark": "gsm8k", "items_total": 128}]})
    live.write_benchmark(tmp_path, sid, "gsm8k", "running", items_total=128, items_done=12, phase="generate_until")
    view = live.read_live(tmp_path)
    assert view.problems == []
    [record] = view.submissions
    assert record["status"] == "evaluating" and record["model_id"] == "org/m" and record["revision"] == "abc"
    assert [(b["benchmark"], b["state"], b["items_done"], b["items_total"]) for b in record["benchmarks"]] == [
        ("arc_easy", "queued", 0, 2376), ("gsm8k", "running", 12, 128)]
    assert record["benchmarks"][1]["elapsed_s"] >= 0


def test_a_final_state_keeps_earlier_fields_and_sets_the_reason(tmp_path):
    sid = "s1"
    live.write_submission(tmp_path, submission(sid, trigger="cli"))
    live.write_submission(tmp_path, {"submission_id": sid, "status": "failed", "reason": "gsm8k: timeout",
                                     "trigger": None})
    [record] = live.read_live(tmp_path).submissions
    assert (record["status"], record["reason"], record["trigger"]) == ("failed", "gsm8k: timeout", "cli")


def test_corrupt_or_missing_files_are_named_and_the_rest_is_read(tmp_path):
    live.write_submission(tmp_path, submission("good"))
    live.write_submission(tmp_path, submission("bad-bench"))
    (live.submission_dir(tmp_path, "bad-bench") / "gsm8k.json").write_text("{not json")
    broken = live.submission_dir(tmp_path, "broken")
    broken.mkdir(parents=True)
    (broken / "submission.json").write_text("[1, 2]")
    orphan = live.submission_dir(tmp_path, "orphan")
    orphan.mkdir(parents=True)
    (orphan / "arc_easy.json").write_text(json.dumps({"benchmark": "arc_easy", "state": "running"}))
    view = live.read_live(tmp_path)
    assert sorted(s["submission_id"] for s in view.submissions) == ["bad-bench", "good"]
    text = "\n".join(view.problems)
    assert "bad-bench/gsm8k.json is unreadable" in text
    assert "broken/submission.json is not a JSON object" in text
    assert "orphan/submission.json is missing or unreadable" in text


def test_no_live_folder_is_an_empty_view(tmp_path):
    view = live.read_live(tmp_path / "nothing-published-yet")
    assert view.submissions == [] and view.problems == []


def test_prune_drops_only_what_the_snapshot_holds_in_the_same_final_state(tmp_path):
    for sid, status in (("done", "completed"), ("failed-late", "failed"), ("running", "evaluating")):
        live.write_submission(tmp_path, submission(sid, status=status))
    removed = live.prune(tmp_path, {"done": "completed", "failed-late": "evaluating", "running": "evaluating"})
    assert removed == ["done"]
    assert sorted(s["submission_id"] for s in live.read_live(tmp_path).submissions) == ["failed-late", "running"]


def test_merge_prefers_the_live_record_and_orders_by_update():
    published = [{"submission_id": "a", "status": "evaluating", "updated_at": "2026-12-04T10:00:00", "reason": None},
                 {"submission_id": "b", "status": "completed", "updated_at": "2026-12-04T09:00:00"}]
    merged = live.merge_submissions(published, [{"submission_id": "a", "status": "failed", "reason": "r",
                                                 "updated_at": "2026-12-04T11:00:00"}])
    assert [(m["submission_id"], m["status"]) for m in merged] == [("a", "failed"), ("b", "completed")]


def test_the_progress_mirror_copies_the_harness_file_while_it_runs(tmp_path):
    published, out = tmp_path / "published", tmp_path / "out"
    out.mkdir()
    with live.ProgressMirror(published, "s1", "arc_easy", out, items_total=100, interval_s=0.05) as mirror:
        (out / live.HARNESS_PROGRESS_FILE).write_text(json.dumps({"items_done": 40, "phase": "loglikelihood"}))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            entry = json.loads((live.submission_dir(published, "s1") / "arc_easy.json").read_text())
            if entry.get("items_done") == 40:
                break
            time.sleep(0.05)
        assert (entry["state"], entry["items_done"], entry["items_total"], entry["phase"]) == (
            "running", 40, 100, "loglikelihood")
        (out / live.HARNESS_PROGRESS_FILE).write_text("{torn")  # a torn read is skipped, not an error
        time.sleep(0.2)
        mirror.phase("executing in the sandbox")
    entry = json.loads((live.submission_dir(published, "s1") / "arc_easy.json").read_text())
    assert (entry["items_done"], entry["phase"]) == (100, "executing in the sandbox")
