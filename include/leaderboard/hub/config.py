"""Hub configuration: the policy (policy.yaml, data) and the endpoint, token and webhook secret
(the environment; secrets are read from files or variables, never from the repository)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).with_name("policy.yaml")
DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class PollConfig:
    schedule: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    task: str | None
    library: str | None


@dataclass(frozen=True)
class HubConfig:
    endpoint: str
    token: str | None
    webhook_secret: str | None
    max_parameters: int | None
    require_license: bool
    rate_limit_submissions: int
    rate_limit_window_hours: float
    opt_out: frozenset[str]
    download_patterns: tuple[str, ...]
    suite: str
    poll: PollConfig = field(repr=False)

    def __repr__(self) -> str:  # never print secrets
        return f"HubConfig(endpoint={self.endpoint!r}, token={'set' if self.token else None})"


class HubConfigError(ValueError):
    """A setting in the environment is unusable; the message names it."""


def _secret(name: str) -> str | None:
    """NAME_FILE (a file holding the secret) wins over NAME (the value itself)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            value = Path(path).expanduser().read_text().strip()
        except OSError as exc:
            raise HubConfigError(f"{name}_FILE={path} cannot be read: {exc.strerror or exc}") from None
    else:
        value = os.environ.get(name, "").strip()
    return value or None


@cache
def _policy(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _opt_out_file() -> set[str]:
    path = os.environ.get("LEADERBOARD_HUB_OPT_OUT_FILE")
    if not path:
        return set()
    try:
        lines = Path(path).expanduser().read_text().splitlines()
    except OSError as exc:
        raise HubConfigError(f"LEADERBOARD_HUB_OPT_OUT_FILE={path} cannot be read: {exc.strerror or exc}") from None
    return {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}


def load_hub_config(policy_file: Path = POLICY_FILE, *, read_secrets: bool = True) -> HubConfig:
    """read_secrets=False leaves token and webhook secret unset: for DAG parsing, which needs
    only the policy and so never fails on a secret file that only workers mount."""
    policy = _policy(policy_file)
    poll = policy["poll"]
    return HubConfig(
        endpoint=(os.environ.get("LEADERBOARD_HUB_ENDPOINT") or os.environ.get("HF_ENDPOINT")
                  or DEFAULT_ENDPOINT).rstrip("/"),
        token=(_secret("LEADERBOARD_HUB_TOKEN") or _secret("HF_TOKEN")) if read_secrets else None,
        webhook_secret=_secret("LEADERBOARD_WEBHOOK_SECRET") if read_secrets else None,
        max_parameters=int(os.environ.get("LEADERBOARD_HUB_MAX_PARAMETERS") or policy["max_parameters"]),
        require_license=bool(policy["require_license"]),
        rate_limit_submissions=int(os.environ.get("LEADERBOARD_HUB_RATE_LIMIT") or policy["rate_limit"]["submissions"]),
        rate_limit_window_hours=float(policy["rate_limit"]["window_hours"]),
        opt_out=frozenset(a.lower() for a in policy["opt_out"]) | _opt_out_file(),
        download_patterns=tuple(policy["download_patterns"]),
        suite=os.environ.get("LEADERBOARD_HUB_SUITE") or policy["suite"],
        poll=PollConfig(schedule=os.environ.get("LEADERBOARD_HUB_POLL_SCHEDULE") or poll["schedule"],
                        authors=tuple(poll["authors"]), tags=tuple(poll["tags"]),
                        task=poll["task"], library=poll["library"]),
    )
