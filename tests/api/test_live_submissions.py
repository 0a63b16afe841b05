"""GET /submissions merges the published submissions with the live status files, computed on each
request (its own ETag, no-cache), also before anything is published, and never a 5xx for a bad file."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from leaderboard import live
from leaderboard.api import create_app
from tests.unit.builders import make_settings

URL = "/api/v1/submissions"


def write_live(published_dir, submission_id: str, model_id: str, status: str, *, done: int | None = 12) -> None:
    now = datetime.now(timezone.utc)
    live.write_submission(published_dir, {
        "submission_id": submission_id, "model_id": model_id, "suite": "ci", "status": status,
        "requested_revision": "main", "trigger": "cli", "submitted_at": (now - timedelta(seconds=90)).isoformat(),
        "updated_at": now.isoformat(),
        "benchmarks_declared": [{"benchmark": "arc_easy", "items_total": 4},
                                {"benchmark": "gsm8k", "items_total": 50}]})
    if done is not None:
        live.write_benchmark(published_dir, submission_id, "gsm8k", "running", items_total=50, items_done=done,
                             phase="generating", started_at=(now - timedelta(seconds=65)).isoformat())


@pytest.fixture
def fresh(tmp_path):
    """An app over a home of its own, with nothing published."""
    settings = make_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        yield settings, client


@pytest.fixture
def with_snapshot(fresh, published):
    """An app over a copy of the shared published snapshot (so live files stay in this test's home)."""
    settings, client = fresh
    settings.published_path.parent.mkdir(parents=True)
    shutil.copyfile(published.path, settings.published_path)
    return settings, client


def test_before_anything_is_published_the_live_submissions_are_listed(fresh):
    settings, client = fresh
    assert client.get(URL).json() == {"snapshot_id": None, "total": 0, "limit": 100, "offset": 0,
                                      "submissions": [], "problems": []}
    write_live(settings.published_dir, "run-first", "org/first-1b", "evaluating")
    response = client.get(URL)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["snapshot_id"] is None and page["total"] == 1 and page["problems"] == []
    (first,) = page["submissions"]
    assert (first["submission_id"], first["model_id"], first["status"], first["trigger"]) == (
        "run-first", "org/first-1b", "evaluating", "cli")
    arc, gsm = first["benchmarks"]
    assert (arc["benchmark"], arc["state"], arc["items_done"], arc["items_total"], arc["elapsed_s"]) == (
        "arc_easy", "queued", 0, 4, None)
    assert (gsm["benchmark"], gsm["state"], gsm["items_done"], gsm["items_total"], gsm["phase"]) == (
        "gsm8k", "running", 12, 50, "generating")
    assert 60 <= gsm["elapsed_s"] < 120
    assert "X-Snapshot-Id" not in response.headers
    assert client.get("/api/v1/leaderboard").status_code == 503  # the other routes still need a snapshot


def test_live_records_are_merged_with_the_published_ones_and_win(with_snapshot):
    settings, client = with_snapshot
    before = client.get(URL).json()
    assert [s["submission_id"] for s in before["submissions"]] == ["run-queued", "run-bad", "run-alpha"]
    assert all(s["benchmarks"] == [] for s in before["submissions"])
    write_live(settings.published_dir, "run-queued", "org/waiting", "evaluating", done=30)  # published as pending
    write_live(settings.published_dir, "run-new", "org/new-2b", "pending", done=None)
    page = client.get(URL).json()
    assert page["snapshot_id"] and page["total"] == 4 and page["problems"] == []
    assert [s["submission_id"] for s in page["submissions"]] == ["run-new", "run-queued", "run-bad", "run-alpha"]
    queued = page["submissions"][1]
    assert queued["status"] == "evaluating" and queued["benchmarks"][1]["items_done"] == 30
    assert queued["suite"] == "ci" and queued["requested_revision"] == "main"
    # filters apply to the merged list: the live status, not the published one
    assert [s["submission_id"] for s in client.get(URL, params={"status": "pending"}).json()["submissions"]] == [
        "run-new"]
    assert client.get(URL, params={"status": "evaluating"}).json()["total"] == 1
    assert [s["submission_id"] for s in client.get(URL, params={"model": "org/waiting"}).json()["submissions"]] == [
        "run-queued"]
    second = client.get(URL, params={"limit": 2, "offset": 1}).json()
    assert second["total"] == 4 and [s["submission_id"] for s in second["submissions"]] == ["run-queued", "run-bad"]
    assert client.get(URL, params={"offset": 10}).json() | {"submissions": None} == {
        "snapshot_id": page["snapshot_id"], "total": 4, "limit": 100, "offset": 10, "submissions": None,
        "problems": []}


def test_published_outcomes_per_benchmark(with_snapshot):
    settings, client = with_snapshot
    import duckdb
    con = duckdb.connect(str(settings.published_path))
    con.execute("""UPDATE submissions SET benchmarks = '{"arc_easy": {"status": "completed"}, '
                   '"gsm8k": {"status": "failed", "reason": "harness timed out"}}' WHERE submission_id = 'run-alpha'""")
    con.close()
    alpha = client.get(URL, params={"model": "org/alpha-7b"}).json()["submissions"][0]
    assert [(b["benchmark"], b["state"], b["reason"]) for b in alpha["benchmarks"]] == [
        ("arc_easy", "scored", None), ("gsm8k", "failed", "harness timed out")]


def test_a_corrupt_live_file_is_reported_not_a_server_error(with_snapshot):
    settings, client = with_snapshot
    write_live(settings.published_dir, "run-new", "org/new-2b", "evaluating")
    folder = live.submission_dir(settings.published_dir, "run-new")
    (folder / "arc_easy.json").write_text('{"benchmark": "arc_easy", "sta')
    (folder / "gsm8k.json").write_text('{"benchmark": "gsm8k", "state": "exploded", "items_done": "many"}')
    broken = live.submission_dir(settings.published_dir, "run-broken")
    broken.mkdir()
    (broken / "submission.json").write_bytes(b"\xff\xfe not json")
    odd = live.submission_dir(settings.published_dir, "run-odd")
    odd.mkdir()
    (odd / "submission.json").write_text('{"submission_id": "run-odd", "status": "lost", "model_id": 7}')
    response = client.get(URL)
    assert response.status_code == 200, response.text
    page = response.json()
    problems = " | ".join(page["problems"])
    for name in ("run-new/arc_easy.json", "run-new/gsm8k.json", "run-broken/submission.json",
                 "run-odd/submission.json"):
        assert name in problems, name
    ids = [s["submission_id"] for s in page["submissions"]]
    assert ids[0] == "run-new" and "run-broken" not in ids and "run-odd" not in ids and page["total"] == 4
    assert [(b["benchmark"], b["state"]) for b in page["submissions"][0]["benchmarks"]] == [("arc_easy", "queued")]


def test_the_answer_is_computed_each_time_with_its_own_etag(with_snapshot):
    settings, client = with_snapshot
    first = client.get(URL)
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["x-snapshot-id"] == first.json()["snapshot_id"]
    etag = first.headers["etag"]
    assert client.get(URL).headers["etag"] == etag  # same content, same tag
    unchanged = client.get(URL, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.headers["etag"] == etag
    write_live(settings.published_dir, "run-new", "org/new-2b", "pending", done=None)
    changed = client.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["submissions"][0]["submission_id"] == "run-new"
    shutil.rmtree(live.submission_dir(settings.published_dir, "run-new"))  # pruned by a publish
    assert client.get(URL).headers["etag"] == etag


def test_an_unreadable_snapshot_is_a_problem_not_an_error(fresh):
    settings, client = fresh
    settings.published_path.parent.mkdir(parents=True)
    settings.published_path.write_text("not a database")
    write_live(settings.published_dir, "run-first", "org/first-1b", "pending", done=None)
    page = client.get(URL).json()
    assert page["snapshot_id"] is None and page["total"] == 1
    assert len(page["problems"]) == 1 and "published snapshot" in page["problems"][0]
