"""The public read-only API over the published snapshot (never the warehouse).

Every response carries the snapshot's ETag and a Cache-Control header; a conditional request
(If-None-Match) gets 304. Results are computed once per published file and query, and kept
with that file (`cached`; ResponseCache answers repeated URLs before routing): a publish swaps
the file and so starts a fresh cache. The SQL is in queries/*.sql, with bound parameters only.

/submissions is the exception: it merges the published submissions with the live status files
(leaderboard.live) on every request, answers also before anything is published, and carries an
ETag over its own content with no-cache."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import threading
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Callable, Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import Depends, FastAPI, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import StringConstraints
from starlette.exceptions import HTTPException as StarletteHTTPException

from leaderboard import live
from leaderboard.api import schemas
from leaderboard.api.snapshot import Snapshot, SnapshotReader, SnapshotUnavailable
from leaderboard.errors import SubmissionRejected
from leaderboard.model_ids import MODEL_ID_PATTERN, REVISION_PATTERN, validate_model_id
from leaderboard.settings import Settings, load_settings
from leaderboard.tracks import changelog
from leaderboard.warehouse import sql as package_sql

API_PREFIX = "/api/v1"
QUERIES_DIR = Path(__file__).parent / "queries"
DEFAULT_SUITE = "smoke"  # the track /leaderboard shows when none is asked for: this suite's latest
CACHE_CONTROL = "public, max-age=30, must-revalidate"
LIVE_CACHE_CONTROL = "no-cache"  # /submissions: revalidate every time (its ETag changes with the live files)
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
CACHE_ENTRIES = 512  # computed responses kept per published file
CACHE_MAX_BYTES = 64 << 20  # larger results are recomputed per request
CACHE_BUDGET_BYTES = 256 << 20  # per published file; the oldest entries go first
RESPONSE_CACHE_MAX_BYTES = 1 << 20  # whole responses kept by ResponseCache (pages, not exports)
STREAM_CHUNK = 1 << 20
# Paths whose JSON answers ResponseCache may keep (not health, exports, docs or the webhook).
# Not /submissions: it changes with the live status files between publishes.
CACHED_PREFIXES = tuple(f"{API_PREFIX}/{p}" for p in ("leaderboard", "models/", "benchmarks", "suites", "snapshots"))

# Sortable leaderboard columns, with the default direction of each.
LEADERBOARD_SORTS = {
    "position": "asc", "rank": "asc", "average": "desc", "average_stderr": "asc", "ci_low": "desc",
    "ci_high": "desc", "n_scored": "desc", "tie_group_size": "asc", "mean_normalized": "desc",
    "parameters": "desc", "evaluated_at": "desc", "complete": "desc", "on_pareto_frontier": "desc",
    "model_id": "asc", "revision": "asc", "model_type": "asc", "precision": "asc", "license": "asc",
    "architecture": "asc", "base_model": "asc",
}
LEADERBOARD_FIELDS = tuple(schemas.LeaderboardRow.model_fields)
SNAPSHOT_ID_PATTERN = r"^[0-9a-f]{16}$"
_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
NAME_PATTERN = rf"^{_NAME}$"  # suites, suite versions (tracks), benchmarks
NAMES_PATTERN = rf"^{_NAME}(,{_NAME})*$"  # comma-separated: precisions, licenses
MODEL_PART_PATTERN = MODEL_ID_PATTERN.removeprefix("^").split("/")[0].join("^$")  # org or name alone
MAX_LIST_ITEMS = 20


def _one_of(names) -> str:
    """A pattern for a comma-separated list of these names (so the spec says what is accepted)."""
    alternatives = "|".join(names)
    return rf"^({alternatives})(,({alternatives}))*$"


Names = Annotated[str, StringConstraints(pattern=NAMES_PATTERN, max_length=400)]
ModelTypes = Annotated[str, StringConstraints(pattern=_one_of(schemas.ModelType.__args__), max_length=200)]
SearchText = Annotated[str, StringConstraints(max_length=200)]
EXPORT_MEDIA_TYPES = {"parquet": "application/vnd.apache.parquet", "csv": "text/csv; charset=utf-8",
                      "json": "application/json"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


@cache
def query_sql(name: str) -> str:
    """queries/<name>.sql, else the package's query of that name (history_model, history_diff)."""
    local = QUERIES_DIR / f"{name}.sql"
    return local.read_text() if local.is_file() else package_sql(name)


# --- values -------------------------------------------------------------------------------

def _clean(value: Any) -> Any:
    """DuckDB values as JSON-ready Python: ISO timestamps, no NaN, nested lists and structs."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def rows(con, name: str, params: dict) -> list[dict]:
    try:
        cursor = con.execute(query_sql(name), params)
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        # a file published by an older schema, or a hand-made one: not the API's contract
        raise SnapshotUnavailable(f"the published snapshot lacks what the API reads; republish it ({exc})") from None
    names = [d[0] for d in cursor.description]
    return [{n: _clean(v) for n, v in zip(names, row)} for row in cursor.fetchall()]


def paged(con, name: str, params: dict) -> tuple[int, list[dict]]:
    """A page of a query whose rows carry `total` (count(*) OVER ()), and that total, also for
    a page past the end (which has no row to carry it)."""
    found = rows(con, name, params)
    if not found and params["offset"] > 0:
        probe = rows(con, name, {**params, "limit": 1, "offset": 0})
        return (probe[0]["total"] if probe else 0), []
    for r in found:
        total = r.pop("total")
    return (total if found else 0), found


def encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


# --- responses and caching ------------------------------------------------------------------

def _headers(snap: Snapshot) -> dict[str, str]:
    return {"ETag": snap.etag, "Cache-Control": CACHE_CONTROL, "X-Snapshot-Id": snap.snapshot_id}


def _not_modified(request: Request, snap: Snapshot) -> Response | None:
    wanted = request.headers.get("if-none-match")
    if wanted is None:
        return None
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    if "*" in tags or snap.etag in tags:
        return Response(status_code=304, headers=_headers(snap))
    return None


_flight_locks: dict[tuple, threading.Lock] = {}
_flight_guard = threading.Lock()


def cached(snap: Snapshot, key: tuple, compute: Callable[[], bytes]) -> tuple[bytes, Snapshot]:
    """compute() once per published file and key. Requests that arrive while another one
    computes it get the previous file's answer, whole and with that file's ETag, if it has one
    (a publish makes every page cold at once); otherwise they wait for the one computing."""
    hit = snap.cache.get(key)
    if hit is not None:
        return hit, snap
    with _flight_guard:
        lock = _flight_locks.setdefault((id(snap), key), threading.Lock())
    if not lock.acquire(blocking=False):
        previous = snap.previous
        stale = previous.cache.get(key) if previous is not None else None
        if stale is not None:
            return stale, previous
        lock.acquire()
    try:
        hit = snap.cache.get(key)
        if hit is None:
            hit = compute()
            if len(hit) <= CACHE_MAX_BYTES:
                snap.cache[key] = hit
                while len(snap.cache) > CACHE_ENTRIES or sum(map(len, snap.cache.values())) > CACHE_BUDGET_BYTES:
                    snap.cache.pop(next(iter(snap.cache)))
    finally:
        lock.release()
        with _flight_guard:
            _flight_locks.pop((id(snap), key), None)
    return hit, snap


def cached_endpoint(request: Request, reader: SnapshotReader, key: tuple, render: Callable[[Snapshot, Any], bytes],
                    media_type: str, extra_headers: Callable[[Snapshot], dict] = lambda source: {}) -> Response:
    """304 when the client has this snapshot; otherwise the body rendered once per snapshot and key."""
    with reader.session() as snap:
        unchanged = _not_modified(request, snap)
        if unchanged is not None:
            return unchanged

        def compute() -> bytes:
            with snap.cursor() as con:
                return render(snap, con)
        body, source = cached(snap, key, compute)
        return Response(body, media_type=media_type, headers={**_headers(source), **extra_headers(source)})


def json_endpoint(request: Request, reader: SnapshotReader, key: tuple, build: Callable[[Snapshot, Any], Any]) -> Response:
    return cached_endpoint(request, reader, key, lambda snap, con: encode(build(snap, con)), "application/json")


class ResponseCache:
    """ASGI middleware: a GET whose exact URL was answered from the current file is answered
    again from memory, before routing and parameter parsing (the hot path of popular pages).
    Only whole 200 JSON responses whose ETag is the current file's are kept, with that file.

    Right after a publish every URL is cold at once. The first request for a URL goes through
    and computes it; those that arrive meanwhile get the previous file's whole response, with
    that file's ETag, as `cached` does one level down, but without routing each of them."""

    def __init__(self, app, reader: SnapshotReader):
        self.app, self.reader = app, reader

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(CACHED_PREFIXES):
            return await self.app(scope, receive, send)
        snap = self.reader.peek()
        if snap is None:  # nothing open yet, or the file was swapped: the route opens it
            return await self.app(scope, receive, send)
        key = (scope["path"], scope["query_string"])
        hit = snap.responses.get(key)
        if hit is None and key in snap.warming and snap.previous is not None:
            hit = snap.previous.responses.get(key)
        if hit is not None:
            headers, body, etag = hit
            wanted = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
            if wanted is not None:
                tags = {t.strip().removeprefix(b"W/") for t in wanted.split(b",")}
                if b"*" in tags or etag in tags:
                    await send({"type": "http.response.start", "status": 304,
                                "headers": [h for h in headers if h[0] in (b"etag", b"cache-control")]})
                    await send({"type": "http.response.body", "body": b""})
                    return
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        captured: dict = {}

        async def capture(message):
            if message["type"] == "http.response.start":
                captured["start"] = message
            elif message["type"] == "http.response.body":
                captured.setdefault("body", []).append(message.get("body", b""))
                if not message.get("more_body") and _keepable(captured, snap):
                    snap.responses[key] = (captured["start"]["headers"], b"".join(captured["body"]), snap.etag.encode())
                    while len(snap.responses) > CACHE_ENTRIES:
                        snap.responses.pop(next(iter(snap.responses)))
            await send(message)
        first = key not in snap.warming
        snap.warming.add(key)
        try:
            await self.app(scope, receive, capture)
        finally:
            if first:
                snap.warming.discard(key)


def _keepable(captured: dict, snap: Snapshot) -> bool:
    start = captured["start"]
    headers = dict(start["headers"])
    return (start["status"] == 200 and headers.get(b"etag") == snap.etag.encode()
            and headers.get(b"content-type", b"").startswith(b"application/json")
            and sum(map(len, captured["body"])) <= RESPONSE_CACHE_MAX_BYTES)


# --- parameters -----------------------------------------------------------------------------

def _split(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated values (each already matched its pattern)."""
    return sorted({v for raw in values or [] for v in raw.split(",") if v})


class LeaderboardFilters:
    """The filters and sort shared by /leaderboard and the exports."""

    def __init__(
        self,
        track: str | None = Query(None, max_length=64, pattern=NAME_PATTERN, description=(
            "A suite version (track id), or a suite name for its latest track. Default: the latest "
            f"track of the '{DEFAULT_SUITE}' suite, else the latest track.")),
        as_of: str | None = Query(None, pattern=SNAPSHOT_ID_PATTERN,
                                  description="A snapshot id: the ranking as that snapshot published it."),
        model_type: list[ModelTypes] | None = Query(None, alias="type", max_length=MAX_LIST_ITEMS, description=(
            "Model types to keep (repeat or comma-separate): " + ", ".join(schemas.ModelType.__args__))),
        min_params: float | None = Query(None, ge=0, le=1_000_000, description="Minimum size, billions of parameters."),
        max_params: float | None = Query(None, ge=0, le=1_000_000, description="Maximum size, billions of parameters."),
        precision: list[Names] | None = Query(None, max_length=MAX_LIST_ITEMS,
                                              description="Weight precisions to keep, e.g. bfloat16."),
        license: list[Names] | None = Query(None, max_length=MAX_LIST_ITEMS,
                                            description="Licenses to keep, e.g. apache-2.0."),
        search: list[SearchText] | None = Query(None, max_length=MAX_LIST_ITEMS, description=(
            "Terms the model id must all contain (case-insensitive; repeat or separate with spaces).")),
        show_incomplete: bool = Query(False, description="Also list models missing a benchmark (unranked)."),
        sort: Literal[tuple(LEADERBOARD_SORTS)] = Query("position", description="Column to sort by."),
        order: Literal["asc", "desc"] | None = Query(None, description="Sort direction; default depends on the column."),
        fields: str | None = Query(None, max_length=1000, pattern=_one_of(LEADERBOARD_FIELDS), description=(
            "Comma-separated columns to return (default: all): " + ", ".join(LEADERBOARD_FIELDS))),
    ):
        self.fields = None if fields is None else list(dict.fromkeys(fields.split(",")))
        self.track, self.as_of = track, as_of
        self.types = _split(model_type)
        self.precisions = _split(precision)
        self.licenses = _split(license)
        self.min_params = None if min_params is None else min_params * 1e9
        self.max_params = None if max_params is None else max_params * 1e9
        self.terms = sorted({t.lower() for raw in search or [] for t in raw.split()})
        self.show_incomplete = show_incomplete
        self.sort = sort
        self.descending = (order or LEADERBOARD_SORTS[sort]) == "desc"

    def key(self) -> tuple:
        return (self.track, self.as_of, tuple(self.types), tuple(self.precisions), tuple(self.licenses),
                self.min_params, self.max_params, tuple(self.terms), self.show_incomplete, self.sort,
                self.descending, tuple(self.fields or ()))


def _model_id(org: str, name: str) -> str:
    try:
        return validate_model_id(f"{org}/{name}")
    except SubmissionRejected as exc:  # '..' or '--' inside: no model can have such an id
        raise ApiError(404, f"no such model: {exc}", "org/name") from None


# --- queries --------------------------------------------------------------------------------

def resolve_track(con, track: str | None) -> schemas.Track | None:
    """A suite version, or a suite's latest track; None when no track exists and none was asked for."""
    tracks = rows(con, "tracks", {})  # newest first within each suite
    if track is None:
        default = [t for t in tracks if t["suite"] == DEFAULT_SUITE] or sorted(
            tracks, key=lambda t: t["first_seen_at"] or "", reverse=True)
        return schemas.Track(suite=default[0]["suite"], suite_version=default[0]["suite_version"]) if default else None
    for t in tracks:
        if t["suite_version"] == track or t["suite"] == track:
            return schemas.Track(suite=t["suite"], suite_version=t["suite_version"])
    raise ApiError(404, f"no track {track!r} in this snapshot (see /api/v1/suites)", "track")


def _require_snapshot(con, snapshot_id: str, parameter: str) -> None:
    if not con.execute(query_sql("snapshot_exists"), {"snapshot_id": snapshot_id}).fetchone()[0]:
        raise ApiError(404, f"no snapshot {snapshot_id!r} (see /api/v1/snapshots)", parameter)


def leaderboard_rows(con, f: LeaderboardFilters, limit: int | None, offset: int) -> tuple[schemas.Track | None, int, list[dict]]:
    track = resolve_track(con, f.track)
    if f.as_of is not None:
        _require_snapshot(con, f.as_of, "as_of")
    if track is None:
        return None, 0, []
    total, found = paged(con, "leaderboard", {
        "suite_version": track.suite_version, "as_of": f.as_of, "show_incomplete": f.show_incomplete,
        "types": f.types, "precisions": f.precisions, "licenses": f.licenses, "min_params": f.min_params,
        "max_params": f.max_params, "terms": f.terms, "sort": f.sort, "descending": f.descending,
        "limit": limit, "offset": offset})
    if f.as_of is None and found and (f.fields is None or "scores" in f.fields):
        per_model: dict[str, list] = {}
        for s in rows(con, "leaderboard_scores", {"suite_version": track.suite_version,
                                                   "model_ids": [r["model_id"] for r in found]}):
            per_model.setdefault(s.pop("model_id"), []).append(s)
        for r in found:
            r["scores"] = per_model.get(r["model_id"], [])
    wanted = f.fields or LEADERBOARD_FIELDS
    return track, total, [{k: r.get(k) for k in wanted} for r in found]


def model_page(snap: Snapshot, con, model_id: str) -> dict:
    if not con.execute(query_sql("model_exists"), {"model_id": model_id}).fetchone()[0]:
        raise ApiError(404, f"no model {model_id!r} in this snapshot", "org/name")
    results = rows(con, "model_results", {"model_id": model_id})
    for r in results:
        r["manifest"] = json.loads(r.pop("document"))
    return {
        "snapshot_id": snap.snapshot_id, "published_at": snap.published_at, "model_id": model_id,
        "revisions": rows(con, "model_revisions", {"model_id": model_id}),
        "standings": rows(con, "model_standings", {"model_id": model_id}),
        "results": results,
        "history": rows(con, "history_model", {"model_id": model_id, "suite_version": None}),
        "submissions": rows(con, "model_submissions", {"model_id": model_id}),
    }


def suites_payload(snap: Snapshot, con, suite: str | None) -> dict:
    versions = rows(con, "suites", {"suite": suite})
    if suite is not None and not versions:
        raise ApiError(404, f"no suite {suite!r} in this snapshot", "suite")
    changes = {c["suite_version"]: c for c in changelog(con, suite)}
    grouped: dict[str, list] = {}
    for v in versions:
        c = changes.get(v["suite_version"], {})
        v.update(previous_version=c.get("previous_version"), changes=c.get("changes"))
        grouped.setdefault(v.pop("suite"), []).append(v)
    return {"snapshot_id": snap.snapshot_id, "suites": [
        {"suite": s, "latest_version": vs[0]["suite_version"], "versions": vs} for s, vs in grouped.items()]}


def _diff(snap: Snapshot, con, old: str, new: str, track: str | None, changed_only: bool, limit: int, offset: int) -> dict:
    _require_snapshot(con, old, "a")
    _require_snapshot(con, new, "b")
    suite_version = None if track is None else resolve_track(con, track).suite_version
    found = [r for r in rows(con, "history_diff", {"old": old, "new": new})
             if (suite_version is None or r["suite_version"] == suite_version)
             and (not changed_only or r["change"] != "unchanged")]
    return {"snapshot_id": snap.snapshot_id, "old": old, "new": new, "total": len(found), "limit": limit,
            "offset": offset, "changes": found[offset:offset + limit]}


# --- submissions: the published ones merged with the live status files ----------------------

SUBMISSION_TEXT_FIELDS = ("model_id", "requested_revision", "revision", "suite", "suite_version", "reason", "trigger",
                          "submitted_at", "updated_at", "finished_at")
BENCHMARK_STATES = schemas.BenchmarkState.__args__
SUBMISSION_STATUSES = schemas.SubmissionStatus.__args__


def _text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        return None
    return float(value)


def _published_benchmarks(raw: str | None) -> list[dict]:
    """The published outcome per benchmark ({name: {status: completed|failed, reason}}) as states."""
    try:
        outcomes = json.loads(raw) if raw else {}
    except ValueError:
        return []
    if not isinstance(outcomes, dict):
        return []
    return [{"benchmark": name, "state": "scored" if (o or {}).get("status") == "completed" else "failed",
             "reason": _text((o or {}).get("reason"))}
            for name, o in sorted(outcomes.items()) if isinstance(o, dict)]


def published_submission(row: dict) -> dict:
    return {**row, "benchmarks": _published_benchmarks(row.get("benchmarks"))}


def live_submission(record: dict, problems: list[str]) -> dict | None:
    """A live record in the API's shape (leaderboard.live.read_live's), its values checked: files
    are written by the pipeline, not validated, and the response must keep its schema."""
    sid = record["submission_id"]
    if record.get("status") not in SUBMISSION_STATUSES:
        problems.append(f"{live.submission_dir(Path(), sid).name}/{live.SUBMISSION_FILE} has no valid status "
                        f"({record.get('status')!r})")
        return None
    benchmarks = []
    for entry in record.get("benchmarks") or []:
        if entry.get("state") not in BENCHMARK_STATES:
            folder, name = live.submission_dir(Path(), sid).name, live.submission_dir(Path(), entry["benchmark"]).name
            problems.append(f"{folder}/{name}.json has no valid state ({entry.get('state')!r})")
            continue
        benchmarks.append({
            "benchmark": entry["benchmark"], "state": entry["state"],
            "items_done": live.count(entry.get("items_done")), "items_total": live.count(entry.get("items_total")),
            "elapsed_s": _number(entry.get("elapsed_s")), "phase": _text(entry.get("phase")),
            "started_at": _text(entry.get("started_at")), "finished_at": _text(entry.get("finished_at")),
            "score": _number(entry.get("score")), "stderr": _number(entry.get("stderr")),
            "reason": _text(entry.get("reason"))})
    # Only the fields the file holds, so that merging keeps the published values of the others.
    return {"submission_id": sid, "status": record["status"],
            **{k: _text(record[k]) for k in SUBMISSION_TEXT_FIELDS if k in record}, "benchmarks": benchmarks}


def _newest_first(submission: dict) -> tuple:
    """Sort key: most recently updated first (no time last), then by id, as queries/submissions.sql."""
    at = submission.get("updated_at") or submission.get("submitted_at")
    try:
        moment = datetime.fromisoformat(at)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        return (0, -moment.timestamp(), submission["submission_id"])
    except (TypeError, ValueError):
        return (1, 0.0, submission["submission_id"])


def merged_submissions(published: list[dict], live_view: live.LiveView) -> tuple[list[dict], list[str]]:
    """Every submission once, the live record in place of the published one, newest first; and the
    live files that could not be used."""
    problems = list(live_view.problems)
    fresh = [s for s in (live_submission(r, problems) for r in live_view.submissions) if s is not None]
    merged = [{**dict.fromkeys(SUBMISSION_TEXT_FIELDS), **s} for s in live.merge_submissions(published, fresh)]
    return sorted(merged, key=_newest_first), problems


def _content_etag(body: bytes) -> str:
    return f'"live-{hashlib.sha256(body).hexdigest()[:32]}"'


# --- exports --------------------------------------------------------------------------------

def _flat(row: dict) -> dict:
    """A CSV row: lists joined with ';', each benchmark's normalised score in its own column."""
    out = {}
    for k, v in row.items():
        if k == "scores":
            for s in v or []:
                out[f"score_{s['benchmark']}"] = s["normalized_score"]
        elif isinstance(v, list):
            out[k] = ";".join(map(str, v))
        else:
            out[k] = v
    return out


def export_bytes(found: list[dict], fmt: str, columns: tuple[str, ...]) -> bytes:
    if fmt == "json":
        return encode(found)
    if fmt == "csv":
        flat = [_flat(r) for r in found]
        names = list(dict.fromkeys([c for c in columns if c != "scores"] + [k for r in flat for k in r]))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flat)
        return buffer.getvalue().encode()
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(found), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _stream(fd: int, size: int):
    try:
        left = size
        while left > 0:
            chunk = os.read(fd, min(STREAM_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        os.close(fd)


# --- the app --------------------------------------------------------------------------------

ERRORS = {400: {"model": schemas.ErrorBody, "description": "A bad parameter; `error.parameter` names it."},
          404: {"model": schemas.ErrorBody, "description": "Unknown model, track or snapshot."},
          503: {"model": schemas.ErrorBody, "description": "Nothing is published yet, or the file is unreadable."}}


def _error(status: int, message: str, parameter: str | None = None, headers: dict | None = None) -> JSONResponse:
    body = {"error": {"status": status, "parameter": parameter, "message": message}}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    reader = SnapshotReader(settings.published_path)
    app = FastAPI(
        title="LLM Leaderboard API", version="1",
        description="Read-only access to the published leaderboard snapshot: rankings, models, samples, "
                    "suites, snapshots and exports. Responses carry the snapshot's ETag.",
        openapi_url=f"{API_PREFIX}/openapi.json", docs_url=f"{API_PREFIX}/docs", redoc_url=None)
    app.state.reader = reader
    app.state.settings = settings

    @app.exception_handler(ApiError)
    async def api_error(_request, exc: ApiError):
        return _error(exc.status, exc.message, exc.parameter)

    @app.exception_handler(SnapshotUnavailable)
    async def unavailable(_request, exc: SnapshotUnavailable):
        return _error(503, f"Leaderboard unavailable: {exc}", headers={"Retry-After": "30"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_request, exc: RequestValidationError):
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "header", "body")]
        parameter = loc[0] if loc else None
        return _error(400, f"{parameter or 'request'}: {first.get('msg', 'invalid value')}", parameter)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request, exc: StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    v1 = dict(responses=ERRORS)

    @app.get(f"{API_PREFIX}/health", response_model=schemas.Health, responses={503: ERRORS[503]}, tags=["meta"])
    def health():
        snap = reader.current()
        return JSONResponse({"status": "ok", "snapshot_id": snap.snapshot_id, "published_at": snap.published_at},
                            headers={"Cache-Control": "no-store", "ETag": snap.etag})

    @app.get(f"{API_PREFIX}/leaderboard", response_model=schemas.LeaderboardPage, tags=["leaderboard"], **v1)
    def leaderboard(request: Request, f: LeaderboardFilters = Depends(),
                    limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        def build(snap, con):
            track, total, found = leaderboard_rows(con, f, limit, offset)
            return {"snapshot_id": snap.snapshot_id, "published_at": snap.published_at,
                    "track": track.model_dump() if track else None, "as_of": f.as_of, "total": total,
                    "limit": limit, "offset": offset, "rows": found}
        return json_endpoint(request, reader, ("leaderboard", f.key(), limit, offset), build)

    @app.get(f"{API_PREFIX}/models/{{org}}/{{name}}", response_model=schemas.ModelPage, tags=["models"], **v1)
    def model(request: Request, org: str = PathParam(pattern=MODEL_PART_PATTERN),
              name: str = PathParam(pattern=MODEL_PART_PATTERN)):
        model_id = _model_id(org, name)
        return json_endpoint(request, reader, ("model", model_id), lambda snap, con: model_page(snap, con, model_id))

    @app.get(f"{API_PREFIX}/models/{{org}}/{{name}}/samples", response_model=schemas.SamplesPage, tags=["models"], **v1)
    def samples(request: Request, org: str = PathParam(pattern=MODEL_PART_PATTERN),
                name: str = PathParam(pattern=MODEL_PART_PATTERN),
                benchmark: str | None = Query(None, max_length=64, pattern=NAME_PATTERN),
                verdict: schemas.Verdict | None = Query(None),
                track: str | None = Query(None, pattern=NAME_PATTERN, description="A suite version or suite name."),
                revision: str | None = Query(None, max_length=128, pattern=REVISION_PATTERN),
                limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        model_id = _model_id(org, name)

        def build(snap, con):
            if not con.execute(query_sql("model_exists"), {"model_id": model_id}).fetchone()[0]:
                raise ApiError(404, f"no model {model_id!r} in this snapshot", "org/name")
            suite_version = None if track is None else resolve_track(con, track).suite_version
            total, found = paged(con, "model_samples", {
                "model_id": model_id, "suite_version": suite_version, "revision": revision, "benchmark": benchmark,
                "verdict": verdict, "limit": limit, "offset": offset})
            return {"snapshot_id": snap.snapshot_id, "model_id": model_id, "total": total, "limit": limit,
                    "offset": offset, "samples": found}
        return json_endpoint(request, reader, ("samples", model_id, benchmark, verdict, track, revision, limit, offset),
                             build)

    @app.get(f"{API_PREFIX}/benchmarks", response_model=schemas.BenchmarkList, tags=["catalogue"], **v1)
    def benchmarks(request: Request):
        return json_endpoint(request, reader, ("benchmarks",), lambda snap, con: {
            "snapshot_id": snap.snapshot_id, "benchmarks": rows(con, "benchmarks", {})})

    @app.get(f"{API_PREFIX}/suites", response_model=schemas.SuiteList, tags=["catalogue"], **v1)
    def suites(request: Request, suite: str | None = Query(None, max_length=64, pattern=NAME_PATTERN)):
        return json_endpoint(request, reader, ("suites", suite), lambda snap, con: suites_payload(snap, con, suite))

    @app.get(f"{API_PREFIX}/snapshots", response_model=schemas.SnapshotList, tags=["snapshots"], **v1)
    def snapshots(request: Request, limit: int = Query(100, ge=1, le=MAX_LIMIT),
                  offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        def build(snap, con):
            total, found = paged(con, "snapshots", {"limit": limit, "offset": offset})
            return {"current": snap.snapshot_id, "total": total, "limit": limit, "offset": offset, "snapshots": found}
        return json_endpoint(request, reader, ("snapshots", limit, offset), build)

    @app.get(f"{API_PREFIX}/snapshots/{{a}}/diff/{{b}}", response_model=schemas.SnapshotDiff, tags=["snapshots"], **v1)
    def snapshot_diff(request: Request, a: str = PathParam(pattern=SNAPSHOT_ID_PATTERN, description="The older snapshot id."),
                      b: str = PathParam(pattern=SNAPSHOT_ID_PATTERN, description="The newer snapshot id."),
                      track: str | None = Query(None, pattern=NAME_PATTERN),
                      changed_only: bool = Query(False, description="Leave out unchanged rows."),
                      limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        return json_endpoint(request, reader, ("diff", a, b, track, changed_only, limit, offset),
                             lambda snap, con: _diff(snap, con, a, b, track, changed_only, limit, offset))

    published_submissions: dict[str, list[dict]] = {}  # the current file's ETag -> its submissions

    def snapshot_submissions() -> tuple[str | None, list[dict], list[str]]:
        """The published submissions (read once per published file), its id, and why there are
        none if the file is there but unreadable. Nothing published yet is not a problem."""
        try:
            with reader.session() as snap:
                found = published_submissions.get(snap.etag)
                if found is None:
                    with snap.cursor() as con:
                        found = [published_submission(r) for r in rows(con, "submissions", {})]
                    published_submissions.clear()
                    published_submissions[snap.etag] = found
                return snap.snapshot_id, found, []
        except SnapshotUnavailable as exc:
            return None, [], [f"the published snapshot: {exc}"] if reader.path.exists() else []

    @app.get(f"{API_PREFIX}/submissions", response_model=schemas.SubmissionList, tags=["submissions"],
             responses={400: ERRORS[400]}, description=(
                 "The submission queue: the published submissions merged with those in flight (live status "
                 "files, each benchmark's progress), newest update first. Answers also before anything is "
                 "published. Not cached: the ETag names this answer's content."))
    def submissions(request: Request, status: schemas.SubmissionStatus | None = Query(None),
                    model: str | None = Query(None, pattern=MODEL_ID_PATTERN, description="Only this model (org/name)."),
                    limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
        snapshot_id, published, problems = snapshot_submissions()
        merged, live_problems = merged_submissions(published, live.read_live(settings.published_dir))
        found = [s for s in merged if (status is None or s.get("status") == status)
                 and (model is None or s.get("model_id") == model)]
        body = encode({"snapshot_id": snapshot_id, "total": len(found), "limit": limit, "offset": offset,
                       "submissions": found[offset:offset + limit], "problems": problems + live_problems})
        headers = {"ETag": _content_etag(body), "Cache-Control": LIVE_CACHE_CONTROL,
                   **({"X-Snapshot-Id": snapshot_id} if snapshot_id else {})}
        wanted = request.headers.get("if-none-match")
        tags = {t.strip().removeprefix("W/") for t in (wanted or "").split(",")}
        if wanted is not None and {"*", headers["ETag"]} & tags:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    @app.get(f"{API_PREFIX}/export/leaderboard.duckdb", tags=["exports"], response_class=StreamingResponse,
             responses={200: {"content": {"application/octet-stream": {}},
                              "description": "The whole published DuckDB file."}, 503: ERRORS[503]})
    def export_duckdb(request: Request):
        for _ in range(5):
            with reader.session() as snap:
                try:
                    fd = os.open(reader.path, os.O_RDONLY)
                except FileNotFoundError:
                    raise SnapshotUnavailable("the published snapshot file disappeared") from None
                st = os.fstat(fd)
                if (st.st_dev, st.st_ino, st.st_mtime_ns) == (snap.identity.device, snap.identity.inode,
                                                               snap.identity.mtime_ns):
                    break  # the bytes we stream are the file the ETag names
                os.close(fd)
        else:
            raise SnapshotUnavailable("the published snapshot is being replaced; retry")
        unchanged = _not_modified(request, snap)
        if unchanged is not None:
            os.close(fd)
            return unchanged
        headers = {**_headers(snap), "Content-Length": str(st.st_size),
                   "Content-Disposition": f'attachment; filename="leaderboard-{snap.snapshot_id}.duckdb"'}
        return StreamingResponse(_stream(fd, st.st_size), media_type="application/octet-stream", headers=headers)

    @app.get(f"{API_PREFIX}/export/leaderboard.{{fmt}}", tags=["exports"], response_class=Response,
             responses={200: {"content": {t.split(";")[0]: {} for t in EXPORT_MEDIA_TYPES.values()},
                              "description": "The leaderboard view (all rows matching the filters)."}, **ERRORS})
    def export(request: Request, fmt: Literal["parquet", "csv", "json"], f: LeaderboardFilters = Depends()):
        def render(snap: Snapshot, con) -> bytes:
            _, _, found = leaderboard_rows(con, f, None, 0)
            return export_bytes(found, fmt, tuple(f.fields or LEADERBOARD_FIELDS))

        return cached_endpoint(
            request, reader, ("export", fmt, f.key()), render, EXPORT_MEDIA_TYPES[fmt],
            lambda source: {"Content-Disposition": f'attachment; filename="leaderboard-{source.snapshot_id}.{fmt}"'})

    # --- Hub webhook receiver (POST /api/v1/webhooks/hub), owned by the hub issue -------------
    # The hub engineer includes include/leaderboard/hub/webhook.py's `router` here, e.g.
    # app.include_router(webhook.router, prefix=API_PREFIX). It is the API's only write path.
    from leaderboard.hub import webhook

    app.include_router(webhook.router, prefix=API_PREFIX)
    # --- end of the Hub webhook receiver ------------------------------------------------------

    _document_errors(app)
    app.add_middleware(ResponseCache, reader=reader)
    return app


def _document_errors(app: FastAPI) -> None:
    """Validation errors answer 400 with ErrorBody (see `invalid`), not FastAPI's 422: say so in the spec."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = build()
            for methods in spec.get("paths", {}).values():
                for operation in methods.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                spec.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema
    app.openapi = openapi
