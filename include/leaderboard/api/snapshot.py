"""Read access to the published snapshot file, for the API.

The publisher swaps the file with os.replace. A reader opened before the swap keeps the old
inode; one opened after sees the new file. The reader keeps one read-only DuckDB database per
file identity (device, inode, mtime, size): requests share it through cursors, and when the
identity changes a new one is opened and the old one is closed once its last request is done.

The file is opened with warehouse.open_read_only (ATTACH, not connect(path): see there)."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb

from leaderboard.warehouse import READ_ONLY_ALIAS as SNAPSHOT_ALIAS, open_read_only


class SnapshotUnavailable(Exception):
    """Nothing usable is published: the file is missing, empty or not a snapshot."""


@dataclass(frozen=True)
class FileIdentity:
    device: int
    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, st: os.stat_result) -> "FileIdentity":
        return cls(st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class Snapshot:
    """One published file, open read-only. `etag` names its content (see publication_etag)."""

    identity: FileIdentity
    snapshot_id: str
    published_at: str
    etag: str
    _con: duckdb.DuckDBPyConnection
    _users: int = 0
    _retired: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict = field(default_factory=dict)  # computed results for this file (see app.cached)
    responses: dict = field(default_factory=dict)  # whole responses by raw URL (see app.ResponseCache)
    warming: set = field(default_factory=set)  # raw URLs whose first request is being answered
    previous: "Snapshot | None" = None  # the file this one replaced: its cache bridges a recompute

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one request; DuckDB connections are not shared across threads."""
        cur = self._con.cursor()
        try:
            cur.execute(f"USE {SNAPSHOT_ALIAS}")
            yield cur
        finally:
            cur.close()

    def _acquire(self) -> bool:
        with self._lock:
            if self._retired:
                return False
            self._users += 1
            return True

    def _release(self) -> None:
        with self._lock:
            self._users -= 1
            close = self._retired and self._users == 0
        if close:
            self._con.close()

    def _retire(self) -> None:
        with self._lock:
            self._retired = True
            close = self._users == 0
        if close:
            self._con.close()


def publication_etag(snapshot_id: str, published_at) -> str:
    """The snapshot id, plus the publication time: republishing identical content gives the same
    snapshot id but a longer history (snapshots, snapshot_log), so the time tells those apart."""
    return f'"{snapshot_id}-{int(published_at.timestamp() * 1_000_000)}"'


def _open(path: Path, identity: FileIdentity) -> Snapshot:
    try:
        con = open_read_only(path)
    except duckdb.Error as exc:
        raise SnapshotUnavailable(f"the published snapshot cannot be read: {exc}") from None
    try:
        row = con.execute(f"SELECT snapshot_id, published_at FROM {SNAPSHOT_ALIAS}.publication").fetchone()
    except duckdb.Error as exc:
        con.close()
        kind = "is empty or incomplete" if isinstance(exc, duckdb.CatalogException) else "cannot be read"
        raise SnapshotUnavailable(f"the published snapshot {kind}: {exc}") from None
    if row is None:
        con.close()
        raise SnapshotUnavailable("the published snapshot has no publication record")
    snapshot_id, published_at = row
    return Snapshot(identity, snapshot_id, published_at.isoformat(), publication_etag(snapshot_id, published_at), con)


class SnapshotReader:
    """Hands out the current published file, reopening it when the publisher has swapped it."""

    def __init__(self, path: Path):
        self.path = path
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def peek(self) -> Snapshot | None:
        """The open snapshot if the file is still the one it holds, else None; never opens a file
        (so it is cheap enough for the event loop)."""
        snap = self._current
        if snap is None:
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return snap if FileIdentity.of(st) == snap.identity else None

    def current(self) -> Snapshot:
        """The snapshot the file holds now (a stat per call; an open only after a swap)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise SnapshotUnavailable(
                "no leaderboard has been published yet: it is published when the first evaluation finishes; "
                "GET /api/v1/submissions shows what is being evaluated") from None
        if st.st_size == 0:
            raise SnapshotUnavailable("the published snapshot file is empty")
        identity = FileIdentity.of(st)
        snap = self._current
        if snap is not None and snap.identity == identity:
            return snap
        with self._lock:
            snap = self._current
            if snap is None or snap.identity != identity:
                # Opened after the stat: the file is this identity or a newer one, never an older one.
                fresh = _open(self.path, identity)
                old, self._current = self._current, fresh
                if old is not None:
                    fresh.previous, old.previous = old, None
                    old._retire()
                snap = fresh
            return snap

    @contextmanager
    def session(self) -> Iterator[Snapshot]:
        """The current snapshot, kept open until the block ends even if a publish swaps the file."""
        for _ in range(5):
            snap = self.current()
            if snap._acquire():
                break
        else:  # retired between current() and acquire() five times in a row: publishes are very fast
            raise SnapshotUnavailable("the published snapshot is being replaced; retry")
        try:
            yield snap
        finally:
            snap._release()

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current._retire()
                self._current = None
