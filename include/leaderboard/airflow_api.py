"""A small client of Airflow's REST API v2: how the CLI and the Hub webhook trigger runs."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from typing import Callable, Iterable

import httpx

TERMINAL_STATES = {"success", "failed"}


class RunsTimedOut(TimeoutError):
    """Some runs were not finished by the deadline; `states` holds each run's last known state."""

    def __init__(self, message: str, states: dict[str, str]):
        super().__init__(message)
        self.states = states


class RunExists(RuntimeError):
    """Airflow already has a run with this id (409): the request was queued before."""


def default_password(airflow_home: Path) -> str:
    if os.environ.get("AIRFLOW_PASSWORD"):
        return os.environ["AIRFLOW_PASSWORD"]
    generated = airflow_home / "simple_auth_manager_passwords.json.generated"
    if not generated.is_file():
        raise SystemExit(f"no AIRFLOW_PASSWORD and no {generated}: is Airflow standalone running?")
    return json.loads(generated.read_text())["admin"]


@dataclass
class AirflowAPI:
    base_url: str
    username: str
    password: str
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        self._client = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.timeout_s)
        self._token: str | None = None

    def _headers(self) -> dict:
        if self._token is None:
            response = self._client.post("/auth/token", json={"username": self.username, "password": self.password})
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self._client.request(method, path, headers=self._headers(), **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response

    def wait_for_dag(self, dag_id: str, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._request("GET", f"/api/v2/dags/{dag_id}")
                return
            except (RuntimeError, httpx.TransportError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)

    def unpause(self, dag_id: str) -> None:
        self._request("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: dict, run_id: str | None = None) -> str:
        """Queue a run; with a run id, raise RunExists when Airflow already has it."""
        body = {"logical_date": None, "conf": conf, **({"dag_run_id": run_id} if run_id else {})}
        response = self._client.post(f"/api/v2/dags/{dag_id}/dagRuns", json=body, headers=self._headers())
        if response.status_code == 401 and self._token is not None:  # the token expired: log in again
            self._token = None
            response = self._client.post(f"/api/v2/dags/{dag_id}/dagRuns", json=body, headers=self._headers())
        if response.status_code == 409:
            raise RunExists(f"{dag_id} already has run {run_id}")
        if response.status_code >= 400:
            raise RuntimeError(f"POST /api/v2/dags/{dag_id}/dagRuns -> {response.status_code}: {response.text[:500]}")
        return response.json()["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self._request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()["state"]

    def wait_all(self, dag_id: str, run_ids: Iterable[str], timeout_s: float = 3600, poll_s: float = 2,
                 on_poll: Callable[[dict[str, str]], None] | None = None) -> dict[str, str]:
        """Poll every run together (each unfinished one's state, every poll_s) until all are
        finished; call on_poll(states) after each poll. A poll that cannot reach Airflow keeps the
        last known states and tries again. Returns run id -> final state; raises RunsTimedOut."""
        run_ids = list(dict.fromkeys(run_ids))
        deadline = time.monotonic() + timeout_s
        states = dict.fromkeys(run_ids, "queued")
        seen: set[str] = set()
        while True:
            for run_id in run_ids:
                if run_id in seen and states[run_id] in TERMINAL_STATES:
                    continue
                try:
                    states[run_id] = self.run_state(dag_id, run_id)
                    seen.add(run_id)
                except httpx.TransportError:
                    pass  # Airflow restarting, or a network blip: the next poll asks again
            if on_poll is not None:
                on_poll(dict(states))
            if len(seen) == len(run_ids) and all(states[r] in TERMINAL_STATES for r in run_ids):
                return states
            if time.monotonic() > deadline:
                waiting = ", ".join(f"{r} {states[r]}" for r in run_ids if states[r] not in TERMINAL_STATES)
                raise RunsTimedOut(f"{dag_id} runs not finished after {timeout_s} s: {waiting}", states)
            time.sleep(poll_s)

    def wait(self, dag_id: str, run_id: str, timeout_s: float = 3600, poll_s: float = 3) -> str:
        try:
            return self.wait_all(dag_id, [run_id], timeout_s=timeout_s, poll_s=poll_s)[run_id]
        except RunsTimedOut as exc:
            raise TimeoutError(f"{dag_id} run {run_id} still {exc.states[run_id]} after {timeout_s} s") from None
