"""A local HTTP stand-in of the Hugging Face Hub, serving the requests huggingface_hub makes:

    GET  /api/models                              listing; author, filter (tags), pipeline_tag,
                                                  search, sort, limit; pages linked by a Link header
    GET  /api/models/{org}/{name}[/revision/{rev}] model info (sha, siblings, cardData, gated, ...)
    GET  /api/models/{org}/{name}/tree/{rev}      file listing (what snapshot_download reads)
    HEAD|GET /{org}/{name}/resolve/{rev}/{path}   files, with Range requests (safetensors headers)

Repos are pushed as commits (a dict of files); `main` moves to the newest one. Private repos
need a token, gated repos a token granted access; errors carry the Hub's X-Error-Code headers.
With webhooks added, every push POSTs a Hub webhook payload (repo.content update of main).

    python -m leaderboard.hub.standin --port 8765 --models var/models   # serve the demo models
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import httpx
import yaml

log = logging.getLogger(__name__)
PAGE_SIZE = 1000
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def git_blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def card_data(files: dict[str, bytes]) -> dict | None:
    text = files.get("README.md", b"").decode(errors="replace")
    if not text.startswith("---"):
        return None
    try:
        meta = yaml.safe_load(text.split("---", 2)[1])
    except yaml.YAMLError:
        return None
    return meta if isinstance(meta, dict) else None


@dataclass
class Repo:
    model_id: str
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    main: str = ""
    gated: str | bool = False  # False, "auto" or "manual"
    private: bool = False
    tags: list[str] = field(default_factory=list)
    pipeline_tag: str | None = "text-generation"
    library_name: str | None = "transformers"
    created_at: datetime = EPOCH
    last_modified: datetime = EPOCH

    def summary(self) -> dict:
        """What a listing returns per model (with expand: sha and dates)."""
        return {
            "_id": hashlib.md5(self.model_id.encode()).hexdigest()[:24], "id": self.model_id,
            "modelId": self.model_id, "author": self.model_id.split("/")[0], "sha": self.main,
            "lastModified": self.last_modified.isoformat().replace("+00:00", "Z"),
            "createdAt": self.created_at.isoformat().replace("+00:00", "Z"),
            "private": self.private, "gated": self.gated, "disabled": False, "tags": list(self.tags),
            "pipeline_tag": self.pipeline_tag, "library_name": self.library_name, "downloads": 0, "likes": 0,
        }

    def info(self, sha: str) -> dict:
        files = self.commits[sha]
        config = None
        try:
            parsed = json.loads(files["config.json"])
            config = {k: parsed[k] for k in ("architectures", "model_type") if isinstance(parsed, dict) and k in parsed}
        except (KeyError, ValueError):
            pass
        return {**self.summary(), "sha": sha, "siblings": [{"rfilename": p} for p in sorted(files)],
                "cardData": card_data(files), "config": config}


class StandinHub:
    """The repos, the tokens that may read them and the webhooks to notify on a push.

    tokens: token -> the gated repos it was granted (None: every gated repo)."""

    def __init__(self, tokens: dict[str, set[str] | None] | None = None):
        self.repos: dict[str, Repo] = {}
        self.tokens = tokens or {}
        self.webhooks: list[tuple[str, str]] = []  # (url, secret)
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Range): what clients asked
        self._lock = threading.Lock()
        self._listing: list[Repo] | None = None
        self._clock = EPOCH

    def _tick(self) -> datetime:
        self._clock += timedelta(seconds=1)
        return self._clock

    def push(self, model_id: str, files: dict[str, bytes], *, notify: bool = True, **attributes) -> str:
        """Commit `files` as the new head of main; returns the commit sha."""
        with self._lock:
            repo = self.repos.get(model_id)
            now = self._tick()
            if repo is None:
                repo = self.repos[model_id] = Repo(model_id, created_at=now)
            for key, value in attributes.items():
                setattr(repo, key, value)
            tree = hashlib.sha1()
            for path in sorted(files):
                tree.update(f"{path}\0{git_blob_sha(files[path])}\0".encode())
            old = repo.main
            sha = hashlib.sha1(f"{model_id}\0{old}\0{tree.hexdigest()}".encode()).hexdigest()
            repo.commits[sha] = dict(files)
            repo.main, repo.last_modified = sha, now
            self._listing = None
        if notify:
            for url, secret in self.webhooks:
                self.deliver(url, secret, webhook_payload(repo, old or None, sha))
        return sha

    def push_folder(self, model_id: str, folder: Path, **attributes) -> str:
        files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
        return self.push(model_id, files, **attributes)

    @staticmethod
    def deliver(url: str, secret: str, payload: dict) -> httpx.Response | None:
        try:
            return httpx.post(url, json=payload, headers={"X-Webhook-Secret": secret}, timeout=30)
        except httpx.HTTPError as exc:  # the Hub does not care whether the receiver is up
            log.warning("webhook to %s failed: %s", url, exc)
            return None

    def listing(self) -> list[Repo]:
        with self._lock:
            if self._listing is None:
                self._listing = list(self.repos.values())
            return self._listing


def webhook_payload(repo: Repo, old_sha: str | None, new_sha: str, ref: str = "refs/heads/main") -> dict:
    """The body the Hub POSTs for a push (webhook version 3)."""
    return {
        "event": {"action": "update", "scope": "repo.content"},
        "repo": {"type": "model", "name": repo.model_id, "id": repo.summary()["_id"], "private": repo.private,
                 "headSha": new_sha, "owner": {"id": repo.model_id.split("/")[0]},
                 "url": {"web": f"https://huggingface.co/{repo.model_id}",
                         "api": f"https://huggingface.co/api/models/{repo.model_id}"}},
        "updatedRefs": [{"ref": ref, "oldSha": old_sha, "newSha": new_sha}],
        "webhook": {"id": "standin", "version": 3},
    }


class _Handler(BaseHTTPRequestHandler):
    hub: StandinHub
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet; tests read hub.requests instead
        log.debug(fmt, *args)

    # --- responses -------------------------------------------------------------------------
    def _send(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _json(self, status: int, document, headers: dict | None = None, head: bool = False) -> None:
        self._send(status, json.dumps(document).encode(), {"Content-Type": "application/json", **(headers or {})}, head)

    def _error(self, status: int, code: str | None, message: str, head: bool = False) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._json(status, {"error": message}, headers, head)

    # --- access ----------------------------------------------------------------------------
    def _token(self) -> tuple[bool, str | None]:
        """(valid, token): a missing token is valid (anonymous); an unknown one is not."""
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        return token is None or token in self.hub.tokens, token

    def _repo(self, model_id: str, head: bool = False, files: bool = False) -> Repo | None:
        valid, token = self._token()
        if not valid:
            self._error(401, None, "Invalid credentials in Authorization header", head)
            return None
        repo = self.hub.repos.get(model_id)
        if repo is None or (repo.private and token is None):
            self._error(401 if token is None else 404, "RepoNotFound", "Repository not found", head)
            return None
        if files and repo.gated:
            granted = self.hub.tokens.get(token, set()) if token else set()
            if token is None:
                self._error(401, "GatedRepo", f"Access to model {model_id} is restricted. You must have access "
                            "to it and be authenticated to access it. Please log in.", head)
                return None
            if granted is not None and model_id not in granted:
                self._error(403, "GatedRepo", f"Access to model {model_id} is restricted and you are not in "
                            f"the authorized list. Visit https://huggingface.co/{model_id} to ask for access.", head)
                return None
        return repo

    def _commit(self, repo: Repo, rev: str, head: bool = False) -> str | None:
        rev = unquote(rev)
        if rev == "main":
            return repo.main
        if rev in repo.commits:
            return rev
        self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}", head)
        return None

    # --- routes ----------------------------------------------------------------------------
    def do_HEAD(self):
        self._route(head=True)

    def do_GET(self):
        self._route(head=False)

    def _route(self, head: bool) -> None:
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        self.hub.requests.append((self.command, url.path, self.headers.get("Range")))
        query = parse_qs(url.query)
        if parts[:2] == ["api", "models"] and len(parts) == 2:
            return self._list(query, head)
        if parts[:2] == ["api", "models"] and len(parts) >= 4:
            model_id = "/".join(parts[2:4])
            rest = parts[4:]
            repo = self._repo(model_id, head)
            if repo is None:
                return None
            if not rest:
                return self._json(200, repo.info(repo.main), head=head)
            if rest[0] == "revision" and len(rest) == 2:
                sha = self._commit(repo, rest[1], head)
                return sha and self._json(200, repo.info(sha), head=head)
            if rest[0] == "tree" and len(rest) >= 2:
                sha = self._commit(repo, rest[1], head)
                if sha is None:
                    return None
                prefix = "/".join(unquote(p) for p in rest[2:])
                files = repo.commits[sha]
                entries = [{"type": "file", "oid": git_blob_sha(files[p]), "size": len(files[p]), "path": p}
                           for p in sorted(files) if p.startswith(prefix)]
                return self._json(200, entries, head=head)
        if len(parts) >= 5 and parts[2] == "resolve":
            model_id = "/".join(parts[:2])
            repo = self._repo(model_id, head, files=True)
            if repo is None:
                return None
            sha = self._commit(repo, parts[3], head)
            if sha is None:
                return None
            return self._file(repo, sha, "/".join(unquote(p) for p in parts[4:]), head)
        return self._error(404, None, f"no such route: {url.path}", head)

    def _list(self, query: dict, head: bool) -> None:
        valid, token = self._token()
        if not valid:
            return self._error(401, None, "Invalid credentials in Authorization header", head)
        author = query.get("author", [None])[0]
        tags = set(query.get("filter", []))
        task = query.get("pipeline_tag", [None])[0]
        search = query.get("search", [None])[0]
        sort = query.get("sort", [None])[0]
        limit = min(int(query.get("limit", [PAGE_SIZE])[0]), PAGE_SIZE)
        cursor = int(query.get("cursor", ["0"])[0])
        repos = [r for r in self.hub.listing()
                 if (token is not None or not r.private)
                 and (author is None or r.model_id.split("/")[0] == author)
                 and (task is None or r.pipeline_tag == task)
                 and (search is None or search.lower() in r.model_id.lower())
                 and tags <= set(r.tags) | {r.library_name}]
        if sort in ("lastModified", "createdAt"):
            attribute = {"lastModified": "last_modified", "createdAt": "created_at"}[sort]
            repos.sort(key=lambda r: (getattr(r, attribute), r.model_id), reverse=True)
        page = repos[cursor:cursor + limit]
        headers = {}
        if cursor + limit < len(repos):
            following = {k: v for k, v in query.items() if k != "cursor"}
            following["cursor"] = [str(cursor + limit)]
            host = self.headers.get("Host")
            headers["Link"] = f'<http://{host}/api/models?{urlencode(following, doseq=True)}>; rel="next"'
        return self._json(200, [r.summary() for r in page], headers, head)

    def _file(self, repo: Repo, sha: str, path: str, head: bool) -> None:
        content = repo.commits[sha].get(path)
        if content is None:
            return self._error(404, "EntryNotFound", f"{path} does not exist at {sha}", head)
        headers = {"X-Repo-Commit": sha, "ETag": f'"{git_blob_sha(content)}"', "Accept-Ranges": "bytes",
                   "Content-Type": "application/octet-stream"}
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and not head:
            start_text, _, end_text = wanted[6:].partition("-")
            start = int(start_text)
            end = min(int(end_text) if end_text else len(content) - 1, len(content) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(content)}"
            return self._send(206, content[start:end + 1], headers)
        return self._send(200, content, headers, head)


class StandinServer:
    """Serve a StandinHub on loopback in a background thread: `with StandinServer(hub) as url:`."""

    def __init__(self, hub: StandinHub, host: str = "127.0.0.1", port: int = 0):
        handler = type("Handler", (_Handler,), {"hub": hub})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="hub-standin", daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def hub_from_folder(models_dir: Path) -> StandinHub:
    """Every org/name folder holding a config.json becomes a public repo."""
    hub = StandinHub()
    for folder in sorted(models_dir.glob("*/*")):
        if (folder / "config.json").is_file():
            hub.push_folder(f"{folder.parent.name}/{folder.name}", folder, notify=False)
    return hub


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a folder of org/name model repos as a Hub stand-in")
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    hub = hub_from_folder(args.models)
    server = StandinServer(hub, port=args.port)
    print(f"Hub stand-in on {server.url} serving {sorted(hub.repos)}", flush=True)
    server.httpd.serve_forever()


if __name__ == "__main__":
    main()
