"""Webhook received → evaluate_model run queued in Airflow, over real HTTP on loopback: the API
app (uvicorn, webhook receiver included) triggers a real `airflow api-server` (REST API v2,
SQLite metadata DB in a temporary AIRFLOW_HOME).

    .venvs/platform/bin/python bench/hub_webhook.py [--events 20] [--burst 20]

Prints figures; it is not a test. Per event: the time from sending the Hub's POST until the
receiver answered "queued" (the run exists in Airflow when it answers), and until the run is
visible through GET /api/v2/dags/evaluate_model/dagRuns/{id}. Then a burst of one identical
event sent concurrently: how many runs it queued. Target: received → queued < 2 s."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_airflow(home: Path) -> tuple[subprocess.Popen, str, str]:
    bin_dir = Path(sys.executable).parent
    port = free_port()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "AIRFLOW_HOME": str(home),
           "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
           "AIRFLOW__API_AUTH__JWT_SECRET": os.urandom(8).hex()}
    for command in (["db", "migrate"], ["dags", "reserialize"]):
        subprocess.run([str(bin_dir / "airflow"), *command], check=True, capture_output=True, env=env)
    process = subprocess.Popen([str(bin_dir / "airflow"), "api-server", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=(home / "api.log").open("w"), stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if httpx.get(f"{url}/api/v2/monitor/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.5)
    password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
    return process, url, password


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--burst", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        t = time.perf_counter()
        airflow, airflow_url, password = start_airflow(home)
        print(f"airflow api-server ready in {time.perf_counter() - t:.1f} s")
        try:
            os.environ.update(LEADERBOARD_WEBHOOK_SECRET=SECRET, LEADERBOARD_HOME=str(home / "leaderboard"),
                              AIRFLOW_URL=airflow_url, AIRFLOW_USERNAME="admin", AIRFLOW_PASSWORD=password)
            from leaderboard.airflow_api import AirflowAPI
            from leaderboard.api.app import create_app
            from leaderboard.hub.standin import Repo, webhook_payload

            port = free_port()
            server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
            threading.Thread(target=server.run, daemon=True).start()
            while not server.started:
                time.sleep(0.05)
            hook = f"http://127.0.0.1:{port}/api/v1/webhooks/hub"
            api = AirflowAPI(airflow_url, "admin", password)
            client = httpx.Client(timeout=30)
            # one warm-up event: the receiver logs in to Airflow once (JWT), as after a restart
            client.post(hook, json=webhook_payload(Repo("bench/warmup"), None, "f" * 40),
                        headers={"X-Webhook-Secret": SECRET})
            answered, visible = [], []
            for i in range(args.events):
                body = webhook_payload(Repo(f"bench/model-{i:03d}"), None, f"{i:040x}")
                t = time.perf_counter()
                response = client.post(hook, json=body, headers={"X-Webhook-Secret": SECRET})
                answered.append(time.perf_counter() - t)
                assert response.status_code == 202, response.text
                run_id = response.json()["run_id"]
                assert api.run_state("evaluate_model", run_id) == "queued"
                visible.append(time.perf_counter() - t)
            print(f"received → queued (receiver answered, run created): median {statistics.median(answered):.3f} s, "
                  f"max {max(answered):.3f} s over {args.events} events (target < 2 s)")
            print(f"received → run visible through GET dagRuns/{{id}}: median {statistics.median(visible):.3f} s, "
                  f"max {max(visible):.3f} s")

            body = webhook_payload(Repo("bench/burst"), None, "b" * 40)
            t = time.perf_counter()
            with ThreadPoolExecutor(args.burst) as pool:
                responses = list(pool.map(lambda _: client.post(hook, json=body, headers={"X-Webhook-Secret": SECRET}),
                                          range(args.burst)))
            statuses = [r.json().get("status", f"{r.status_code} {r.text[:200]}") for r in responses]
            print("burst answers:", sorted(set(statuses)))
            runs = api._request("GET", "/api/v2/dags/evaluate_model/dagRuns", params={"limit": 1000}).json()
            burst_runs = [r for r in runs["dag_runs"] if r["conf"].get("model_id") == "bench/burst"]
            print(f"burst of {args.burst} identical events in {time.perf_counter() - t:.2f} s: "
                  f"{statuses.count('queued')} queued, {statuses.count('duplicate')} duplicate, "
                  f"{len(burst_runs)} run(s) in Airflow")
            server.should_exit = True
        finally:
            os.killpg(airflow.pid, signal.SIGTERM)
            airflow.wait(timeout=60)


if __name__ == "__main__":
    main()
