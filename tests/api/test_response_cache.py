"""ResponseCache right after a publish: the first request for a URL computes it on the new file,
the ones arriving meanwhile get the previous file's whole answer without reaching the app."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from leaderboard.api.app import ResponseCache

URL = "/api/v1/leaderboard"


def snapshot(etag: str, previous=None):
    return SimpleNamespace(etag=etag, responses={}, warming=set(), previous=previous)


class Reader:
    def __init__(self, snap):
        self.snap = snap

    def peek(self):
        return self.snap


class SlowApp:
    """Answers with the current file's ETag; the first call waits until released."""

    def __init__(self, reader: Reader):
        self.reader, self.calls, self.release = reader, 0, asyncio.Event()

    async def __call__(self, scope, receive, send):
        self.calls += 1
        etag = self.reader.snap.etag
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"etag", etag.encode()), (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": f'{{"file": {etag}}}'.encode()})


async def get(middleware, if_none_match: str | None = None) -> tuple[int, bytes, bytes]:
    headers = [(b"if-none-match", if_none_match.encode())] if if_none_match else []
    scope = {"type": "http", "method": "GET", "path": URL, "query_string": b"limit=100", "headers": headers}
    sent = []

    async def send(message):
        sent.append(message)
    await middleware(scope, None, send)
    start, body = sent[0], sent[1].get("body", b"")
    return start["status"], dict(start["headers"]).get(b"etag", b""), body


def test_requests_during_the_first_compute_get_the_previous_files_answer():
    async def scenario():
        reader = Reader(snapshot('"old"'))
        app = SlowApp(reader)
        middleware = ResponseCache(app, reader)
        app.release.set()
        assert await get(middleware) == (200, b'"old"', b'{"file": "old"}')  # computed once, then kept
        assert await get(middleware) == (200, b'"old"', b'{"file": "old"}') and app.calls == 1

        reader.snap = snapshot('"new"', previous=reader.snap)  # a publish swapped the file
        app.release.clear()
        first = asyncio.create_task(get(middleware))
        await asyncio.sleep(0)  # the first request is now computing on the new file
        assert app.calls == 2
        assert await get(middleware) == (200, b'"old"', b'{"file": "old"}')  # bridged, not routed
        assert await get(middleware, if_none_match='"old"') == (304, b'"old"', b"")
        assert app.calls == 2
        app.release.set()
        assert await first == (200, b'"new"', b'{"file": "new"}')
        assert await get(middleware) == (200, b'"new"', b'{"file": "new"}') and app.calls == 2
        assert reader.snap.warming == set()
    asyncio.run(scenario())


def test_without_a_previous_answer_concurrent_requests_go_through():
    async def scenario():
        reader = Reader(snapshot('"only"'))
        app = SlowApp(reader)
        middleware = ResponseCache(app, reader)
        first = asyncio.create_task(get(middleware))
        second = asyncio.create_task(get(middleware))
        await asyncio.sleep(0)
        assert app.calls == 2  # nothing to bridge with: both reach the app (which computes once)
        app.release.set()
        assert await first == await second == (200, b'"only"', b'{"file": "only"}')
        assert reader.snap.warming == set()
    asyncio.run(scenario())
