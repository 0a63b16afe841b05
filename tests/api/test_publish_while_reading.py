"""Readers keep getting consistent answers while a publisher process swaps the file under them."""

from __future__ import annotations

import subprocess
import sys
import threading

import duckdb
from fastapi.testclient import TestClient

from leaderboard.api import create_app
from tests.api.conftest import REPO, build_published

API = "/api/v1"
PUBLISHES = 12


def test_readers_during_publishes(tmp_path):
    published = build_published(tmp_path)
    app = create_app(published.settings)
    publisher = subprocess.Popen([sys.executable, "-m", "tests.api.publisher", str(tmp_path), str(PUBLISHES)],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failures, seen, downloads, etags = [], {}, [], set()
    lock = threading.Lock()

    def read(worker: int) -> None:
        client = TestClient(app)
        i = 0
        while publisher.poll() is None or i < 3:
            i += 1
            board = client.get(f"{API}/leaderboard", params={"fields": "model_id,average"})
            model = client.get(f"{API}/models/org/alpha-7b")
            if board.status_code != 200 or model.status_code != 200:
                with lock:
                    failures.append((board.status_code, board.text[:200], model.status_code, model.text[:200]))
                continue
            body = board.json()
            assert body["snapshot_id"] in board.headers["etag"]
            alpha = next(r["average"] for r in body["rows"] if r["model_id"] == "org/alpha-7b")
            standing = model.json()["standings"][0]
            with lock:
                etags.add(board.headers["etag"])
                # a snapshot id is a content hash: the same id must always carry the same numbers
                seen.setdefault(("board", body["snapshot_id"]), set()).add(alpha)
                seen.setdefault(("model", model.json()["snapshot_id"]), set()).add(standing["average"])
            if worker == 0 and i % 5 == 0:
                dump = client.get(f"{API}/export/leaderboard.duckdb")
                downloads.append((dump.headers["x-snapshot-id"], dump.content))

    readers = [threading.Thread(target=read, args=(w,)) for w in range(3)]
    for t in readers:
        t.start()
    for t in readers:
        t.join(timeout=300)
    out, err = publisher.communicate(timeout=60)
    assert publisher.returncode == 0, err
    assert out.count("published") == PUBLISHES
    assert failures == []
    board_ids = {sid for kind, sid in seen if kind == "board"}
    assert len(board_ids) >= 2 and len(etags) >= 3, f"the readers saw too few publishes: {etags}"
    assert all(len(values) == 1 for values in seen.values()), seen
    for sid, content in downloads:  # each streamed file is whole, and the one its headers name
        path = tmp_path / f"download-{len(content)}-{sid}.duckdb"
        path.write_bytes(content)
        with duckdb.connect(str(path), read_only=True) as con:
            assert con.execute("SELECT snapshot_id FROM publication").fetchone()[0] == sid
    app.state.reader.close()
