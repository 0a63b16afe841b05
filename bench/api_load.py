"""Load on the public API: 50 concurrent clients reading a top-100 leaderboard page of a
100,000-model snapshot while another process republishes the snapshot every few seconds.

    .venvs/platform/bin/python bench/api_load.py [--models 100000] [--clients 50] [--seconds 20]
                                                 [--workers 2] [--republish-every 3]

The warehouse is filled in bulk (warehouse.upsert_results, as bench/rerank.py does) and
published by leaderboard.publish.publish, the real path; the API is `python -m
leaderboard.api` (uvicorn) on a free loopback port. The load generator is a closed loop of
keep-alive HTTP/1.1 connections, each client sending its next request when the last answer is
in: Debian's `wrk` (C, two threads; the default when installed: `scripts/system_packages.sh
bench`), or `--generator python`, the same loop on asyncio, which on a small machine takes a
good share of the CPU it measures. Prints p50, p99, throughput, errors, the file swaps the
clients saw and the machine's load; it is not a test. Targets: p99 < 50 ms and 0 errors."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
RUN_AT = "2026-01-01T00:00:00+00:00"
PAGE = "/api/v1/leaderboard?limit=100"
MODEL_TYPES = ["pretrained", "fine-tuned", "chat", "merge", "adapter"]
LICENSES = ["apache-2.0", "mit", "llama3", "other"]


def build(home: Path, n_models: int, n_bench: int = 7, seed: int = 0) -> None:
    """A warehouse of n_models × n_bench results, and its first publication."""
    from leaderboard import warehouse
    from leaderboard.publish import publish
    rng = np.random.default_rng(seed)
    benches = [f"bench_{b}" for b in range(n_bench)]
    skill = rng.uniform(0.1, 0.95, n_models)
    ids = [f"org-{i % 1000:03d}/model-{i:06d}" for i in range(n_models)]
    with warehouse.connect(home / "warehouse.duckdb") as con:
        con.execute("INSERT INTO suite_versions VALUES ('000000000001', 'smoke', 'bench suite', 'h', '[]', ?)", [RUN_AT])
        for b in range(n_bench):
            con.execute("INSERT INTO suite_benchmarks VALUES ('000000000001', ?, 1, ?, 'f', 'acc,none', ?, 200, 'x', 'y')",
                        [benches[b], benches[b], 0.0 if b % 3 == 0 else 0.25])
        models = pa.table({
            "model_id": ids, "revision": ["main"] * n_models, "source": ["local"] * n_models,
            "architecture": ["LlamaForCausalLM"] * n_models,
            "parameters": rng.integers(1, 200, n_models) * 1_000_000_000,
            "precision": rng.choice(["bfloat16", "float16", "float32"], n_models),
            "license": rng.choice(LICENSES, n_models), "model_type": rng.choice(MODEL_TYPES, n_models)})
        con.register("m", models)
        con.execute("INSERT INTO models BY NAME SELECT * FROM m")
        con.unregister("m")
        model_col = np.repeat(np.array(ids, dtype=object), n_bench)
        score = np.clip(np.repeat(skill, n_bench) + rng.normal(0, 0.05, n_models * n_bench), 0, 1)
        n = len(model_col)
        results = pa.table({
            "result_id": [f"r{i}" for i in range(n)], "model_id": model_col, "revision": ["main"] * n,
            "suite": ["smoke"] * n, "suite_version": ["000000000001"] * n,
            "benchmark": np.tile(np.array(benches, dtype=object), n_models),
            "benchmark_version": pa.array(np.ones(n, dtype=np.int32)), "primary_metric": ["acc,none"] * n,
            "score": score, "stderr": np.sqrt(score * (1 - score) / 200),
            "n_samples": pa.array(np.full(n, 200, dtype=np.int32)), "metrics": ["{}"] * n,
            "evaluated_at": [RUN_AT] * n, "run_id": ["bench"] * n, "document": ["{}"] * n,
        }, schema=warehouse._RESULTS_SCHEMA)
        warehouse.upsert_results(con, results, warehouse._SAMPLES_SCHEMA.empty_table())
        publish(con, home / "published" / "leaderboard.duckdb", RUN_AT)


def republish_loop(home: Path, every: float) -> None:
    """Publish again and again (each a new publication, so a new file and ETag) until killed."""
    from leaderboard import warehouse
    from leaderboard.publish import publish
    start = datetime(2026, 2, 1, tzinfo=timezone.utc)
    with warehouse.connect(home / "warehouse.duckdb") as con:
        for i in range(1_000_000):
            began = time.perf_counter()
            publish(con, home / "published" / "leaderboard.duckdb", (start + timedelta(minutes=i)).isoformat())
            print(json.dumps({"publish_s": round(time.perf_counter() - began, 3), "at": time.time()}), flush=True)
            time.sleep(every)


async def client(host: str, port: int, done, latencies: list, errors: list, etags: set) -> None:
    request = f"GET {PAGE} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode()
    reader = writer = None
    while not done():
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            headers = dict(line.lower().split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
            length = int(headers[b"content-length"])
            etags.add(headers.get(b"etag", b"").strip())
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            if status != 200:
                errors.append(f"HTTP {status}")
        except (OSError, asyncio.IncompleteReadError, ValueError, KeyError) as exc:
            errors.append(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def load(host: str, port: int, clients: int, seconds: float, swaps: int) -> tuple[list, list, float, set]:
    """Run for `seconds`, and longer (up to 6×) until the clients have seen `swaps` new files."""
    latencies, errors, etags = [], [], set()
    began = time.perf_counter()

    def done() -> bool:
        elapsed = time.perf_counter() - began
        return elapsed >= 6 * seconds or (elapsed >= seconds and len(etags) - 1 >= swaps)
    await asyncio.gather(*(client(host, port, done, latencies, errors, etags) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - began, etags


WRK_SCRIPT = r"""
-- Counts non-200 answers and the distinct ETags (published files) each thread saw.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) etags = {}; non200 = 0 end
function response(status, headers, body)
  local etag = headers["etag"] or headers["ETag"]
  if etag then etags[etag] = true end
  if status ~= 200 then non200 = non200 + 1 end
end
function done(summary, latency, requests)
  local seen, n_etags, bad = {}, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
    for etag, _ in pairs(thread:get("etags")) do
      if not seen[etag] then seen[etag] = true; n_etags = n_etags + 1 end
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "non200": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "etags": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.status, e.timeout, n_etags,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def wrk_load(port: int, clients: int, seconds: float, home: Path) -> dict:
    """One closed-loop wrk run; its figures as a dict (latencies in ms)."""
    script = home / "load.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", "10s",
                          "-H", "Accept: application/json", "-s", str(script), f"http://127.0.0.1:{port}{PAGE}"],
                         check=True, capture_output=True, text=True).stdout
    figures = json.loads(next(line for line in out.splitlines() if line.startswith("WRK "))[4:])
    errors = {k: figures[k] for k in ("non200", "connect", "read", "write", "timeout") if figures[k]}
    return {"requests": figures["requests"], "wall": figures["duration_us"] / 1e6, "errors": errors,
            "new_files_seen": figures["etags"] - 1,
            **{k.replace("_us", ""): figures[k] / 1000 for k in ("p50_us", "p90_us", "p99_us", "max_us")}}


def python_load(port: int, clients: int, seconds: float, swaps: int) -> dict:
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    latencies, errors, wall, etags = asyncio.run(load("127.0.0.1", port, clients, seconds, swaps))
    ms = np.array(latencies) * 1000
    counted: dict[str, int] = {}
    for error in errors:
        counted[error] = counted.get(error, 0) + 1
    return {"requests": len(ms), "wall": wall, "errors": counted, "new_files_seen": len(etags) - 1,
            **{f"p{q}": float(np.percentile(ms, q)) for q in (50, 90, 99)}, "max": float(ms.max())}


def cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the processes of a process group (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ..., utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--republish-every", type=float, default=3.0, help="pause between publishes, seconds")
    parser.add_argument("--swaps", type=int, default=2,
                        help="python generator: run past --seconds (up to 6×) until the clients have seen this many new files")
    parser.add_argument("--generator", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator (default: wrk when installed)")
    parser.add_argument("--keep", action="store_true", help="keep the built warehouse and snapshot")
    parser.add_argument("--phase", choices=["build", "republish"])
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    if args.phase == "build":
        build(args.home, args.models)
        return
    if args.phase == "republish":
        republish_loop(args.home, args.republish_every)
        return

    home = Path(tempfile.mkdtemp(prefix="bench-api-"))
    began = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--phase", "build", "--home", str(home), "--models", str(args.models)],
                   check=True, cwd=REPO)
    print(f"setup: {args.models} models × 7 benchmarks built and published in {time.perf_counter() - began:.1f} s ({home})")

    port = free_port()
    env = {**os.environ, "LEADERBOARD_HOME": str(home), "LEADERBOARD_API_PORT": str(port),
           "LEADERBOARD_API_WORKERS": str(args.workers)}
    api = subprocess.Popen([sys.executable, "-m", "leaderboard.api"], env=env, cwd=REPO, start_new_session=True)
    publisher = None
    try:
        import httpx
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}{PAGE}", timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if api.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the API did not start")
            time.sleep(0.3)
        for _ in range(4 * args.workers):  # every worker opens the file and computes the page once
            httpx.get(f"http://127.0.0.1:{port}{PAGE}", timeout=10)
        publisher = subprocess.Popen([sys.executable, __file__, "--phase", "republish", "--home", str(home),
                                      "--republish-every", str(args.republish_every)],
                                     cwd=REPO, stdout=subprocess.PIPE, text=True)
        # the publisher's first publish has landed: from here on publishes follow one another
        first_publish = json.loads(publisher.stdout.readline())
        load_before = os.getloadavg()
        api_cpu_before = cpu_seconds(api.pid)
        started = time.time()
        if args.generator == "wrk":
            run = wrk_load(port, args.clients, args.seconds, home)
        else:
            run = python_load(port, args.clients, args.seconds, args.swaps)
        wall = run["wall"]
        load_after = os.getloadavg()
        api_cpu = cpu_seconds(api.pid) - api_cpu_before
    finally:
        if publisher is not None:
            publisher.terminate()
            publishes = [json.loads(line) for line in publisher.communicate(timeout=60)[0].splitlines() if line]
            publishes = [p for p in publishes if started <= p["at"] <= started + wall]
        os.killpg(api.pid, signal.SIGTERM)
        api.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    errors = run["errors"]
    print(f"load: {args.clients} clients ({args.generator}), closed loop, GET {PAGE} for {wall:.1f} s; API: uvicorn, "
          f"{args.workers} workers; machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after (1 min)")
    print(f"file swaps during the run: {len(publishes)} publishes landed, the clients saw {run['new_files_seen']} "
          f"new files; publish took "
          f"{', '.join(str(p['publish_s']) for p in [first_publish] + publishes)} s, pause {args.republish_every} s")
    print(f"requests: {run['requests']}   throughput: {run['requests'] / wall:.0f} req/s   "
          f"errors: {sum(errors.values())}" + (f" ({errors})" if errors else ""))
    print(f"latency ms: p50 {run['p50']:.1f}   p90 {run['p90']:.1f}   p99 {run['p99']:.1f}   max {run['max']:.1f}")
    print(f"API CPU: {api_cpu:.1f} s over the run, {1000 * api_cpu / run['requests']:.2f} ms per request "
          f"(what the server costs, whatever the machine's load)")
    print(f"targets: p99 < 50 ms: {'met' if run['p99'] < 50 else 'MISSED'}; "
          f"0 errors: {'met' if not errors else 'MISSED'}")

if __name__ == "__main__":
    main()
