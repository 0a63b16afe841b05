"""The Hub webhook receiver: POST /webhooks/hub (mounted under /api/v1 by the API app).

The Hub sends the secret it was configured with in X-Webhook-Secret; it is compared in
constant time with LEADERBOARD_WEBHOOK_SECRET (or the file LEADERBOARD_WEBHOOK_SECRET_FILE).
Missing: 401; wrong: 403; no secret configured here: 503. Nothing is queued in those cases.
Only pushes to main of a model repo are taken; everything else is acknowledged and ignored.
A taken event triggers evaluate_model at once through Airflow's REST API v2, with a run id
derived from (model, sha, suite): a burst of the same event queues one run.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from leaderboard.airflow_api import RunExists

from leaderboard.errors import SubmissionRejected
from leaderboard.hub.config import HubConfig, HubConfigError, load_hub_config
from leaderboard.model_ids import validate_model_id
from leaderboard.submissions import run_id_for

log = logging.getLogger(__name__)
router = APIRouter(tags=["hub"])
EVALUATE_DAG = "evaluate_model"
MAIN_REF = "refs/heads/main"
# A busy metadata DB (Airflow standalone on SQLite) can refuse a trigger for a moment: retry before giving up.
TRIGGER_RETRY_PAUSES_S = (0.5, 1.0, 2.0, 4.0)


def hub_config() -> HubConfig:
    try:
        return load_hub_config()
    except HubConfigError as exc:  # e.g. the secret file is not mounted: refuse, naming the setting
        raise HTTPException(503, f"the webhook receiver is misconfigured: {exc}") from None


@lru_cache(maxsize=1)
def _airflow(url: str, username: str, password: str):
    from leaderboard.airflow_api import AirflowAPI

    return AirflowAPI(url, username, password)


def airflow_client():
    """A dependency returning how to get the client: only called once the secret matched."""
    return airflow_api


def airflow_api():
    """The REST client, configured like the CLI: AIRFLOW_URL, AIRFLOW_USERNAME, AIRFLOW_PASSWORD
    (or the password Airflow generated in AIRFLOW_HOME)."""
    from leaderboard.airflow_api import default_password

    home = Path(os.environ.get("AIRFLOW_HOME", "~/airflow")).expanduser()
    return _airflow(os.environ.get("AIRFLOW_URL", "http://127.0.0.1:8080"),
                    os.environ.get("AIRFLOW_USERNAME", "admin"), default_password(home))


def _ignored(reason: str) -> JSONResponse:
    return JSONResponse({"status": "ignored", "reason": reason}, status_code=200)


def _pushed_sha(payload: dict) -> tuple[str | None, str]:
    """(sha, why not) for a push to main of a model repo."""
    event, repo = payload.get("event") or {}, payload.get("repo") or {}
    if repo.get("type") != "model":
        return None, f"not a model repo (type {repo.get('type')!r})"
    if event.get("scope") != "repo.content" or event.get("action") not in ("create", "update"):
        return None, f"not a content update (event {event.get('action')!r} on {event.get('scope')!r})"
    refs = payload.get("updatedRefs")
    if refs is not None:
        main = [r for r in refs if isinstance(r, dict) and r.get("ref") == MAIN_REF]
        if not main:
            return None, "main was not updated"
        sha = main[0].get("newSha")
        if not sha:
            return None, "main was deleted"
        return sha, ""
    return repo.get("headSha") or repo.get("head_sha"), ""


def _run_exists(airflow, run_id: str) -> bool:
    try:
        airflow.run_state(EVALUATE_DAG, run_id)
        return True
    except Exception:  # noqa: BLE001 - unknown run, or Airflow unreachable: not queued as far as we know
        return False


@router.post("/webhooks/hub", status_code=202)
async def hub_webhook(request: Request, x_webhook_secret: str | None = Header(default=None),
                      config: HubConfig = Depends(hub_config), get_airflow=Depends(airflow_client)):
    if not config.webhook_secret:
        raise HTTPException(503, "no webhook secret is configured (LEADERBOARD_WEBHOOK_SECRET); refusing all")
    if x_webhook_secret is None:
        raise HTTPException(401, "X-Webhook-Secret header is missing")
    if not hmac.compare_digest(x_webhook_secret.encode(), config.webhook_secret.encode()):
        raise HTTPException(403, "X-Webhook-Secret does not match")
    try:
        payload = await request.json()
    except ValueError:
        raise HTTPException(400, "the body is not JSON") from None
    if not isinstance(payload, dict):
        raise HTTPException(400, "the body is not a JSON object")
    sha, why_not = _pushed_sha(payload)
    if sha is None:
        return _ignored(why_not)
    try:
        model_id = validate_model_id((payload.get("repo") or {}).get("name"))
    except SubmissionRejected as exc:
        raise HTTPException(422, str(exc)) from None
    if not isinstance(sha, str) or len(sha) != 40 or not all(c in "0123456789abcdef" for c in sha):
        raise HTTPException(422, f"{sha!r} is not a commit sha")
    run_id = run_id_for("webhook", model_id, sha, config.suite)
    conf = {"model_id": model_id, "revision": sha, "suite": config.suite}
    queued = JSONResponse({"status": "queued", "run_id": run_id, "model_id": model_id, "revision": sha},
                          status_code=202)
    duplicate = JSONResponse({"status": "duplicate", "run_id": run_id, "model_id": model_id, "revision": sha},
                             status_code=200)
    try:
        airflow = get_airflow()
    except (SystemExit, Exception) as exc:  # no password configured or found
        raise HTTPException(503, f"the Airflow REST API is not configured: {exc}") from None
    for attempt, pause_s in enumerate(TRIGGER_RETRY_PAUSES_S + (None,)):
        try:
            await run_in_threadpool(airflow.trigger, EVALUATE_DAG, conf, run_id)
            break
        except RunExists:
            return duplicate
        except Exception as exc:  # Airflow down or refusing: retried here, then the Hub retries on 5xx
            # Concurrent identical triggers can lose the race inside Airflow's database with a 500
            # rather than a 409, and a 500 may come after the run was written: if the run exists
            # now, this event is queued (by this call or by its twin; Airflow cannot say which).
            if await run_in_threadpool(_run_exists, airflow, run_id):
                return queued
            if pause_s is None:
                log.exception("triggering %s for %s failed", EVALUATE_DAG, model_id)
                raise HTTPException(502, f"could not queue the evaluation: {exc}") from None
            log.warning("triggering %s for %s failed (attempt %d), retrying: %s", EVALUATE_DAG, model_id,
                        attempt + 1, exc)
            await asyncio.sleep(pause_s)
    log.info("queued %s@%s (run %s)", model_id, sha, run_id)
    return queued
