"""docker-compose.yaml validates with Debian's docker-compose (v1) against an env file made from
deploy/.env.example, routes the benchmarks to the gpu worker and takes every secret from .env."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yaml"
ENV_EXAMPLE = REPO / "deploy" / ".env.example"
SECRETS = ("POSTGRES_PASSWORD", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY",
           "AIRFLOW__CORE__FERNET_KEY", "LEADERBOARD_HUB_TOKEN", "LEADERBOARD_WEBHOOK_SECRET")
PLATFORM_SERVICES = {"airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                     "airflow-worker", "airflow-worker-gpu", "dashboard", "api"}


def example_settings() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {k: v for k, v in pairs}


def compose_config(tmp_path: Path, settings: dict[str, str]) -> subprocess.CompletedProcess:
    if shutil.which("docker-compose") is None:
        if os.environ.get("LEADERBOARD_REQUIRE_DOCKER"):
            pytest.fail("docker-compose is missing: scripts/system_packages.sh test installs it")
        pytest.skip("docker-compose is not installed (Debian package docker-compose)")
    shutil.copy(COMPOSE, tmp_path / COMPOSE.name)
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    return subprocess.run(["docker-compose", "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60)


def mounts(service: dict) -> set[tuple[str, str]]:
    """(source, target) of each volume; docker-compose v1 renders them as "src:dst[:mode]"."""
    return {tuple(v.split(":")[:2]) if isinstance(v, str) else (v.get("source"), v["target"])
            for v in service.get("volumes", [])}


def filled_settings() -> dict[str, str]:
    settings = {k: v or secrets.token_hex(8) for k, v in example_settings().items()}
    return {**settings, "DOCKER_GID": "999"}


def test_env_example_names_every_setting_and_commits_no_secret():
    settings = example_settings()
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE.read_text()))
    assert used - settings.keys() == set(), "used by docker-compose.yaml, missing from deploy/.env.example"
    assert {name: settings[name] for name in SECRETS} == dict.fromkeys(SECRETS, "")


def test_compose_file_validates_and_wires_the_services(tmp_path):
    settings = filled_settings()
    done = compose_config(tmp_path, settings)
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert set(services) == PLATFORM_SERVICES | {"postgres", "redis", "airflow-init"}

    for name in PLATFORM_SERVICES | {"postgres", "redis"}:
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["healthcheck"]["test"], name
    assert services["airflow-init"]["restart"] == "no"

    gpu, default = services["airflow-worker-gpu"], services["airflow-worker"]
    assert gpu["command"][gpu["command"].index("--queues") + 1] == "gpu"
    assert default["command"][default["command"].index("--queues") + 1] == "default"
    assert ("/var/run/docker.sock", "/var/run/docker.sock") in mounts(gpu)
    assert not any(target == "/var/run/docker.sock" for _, target in mounts(default))
    assert gpu["environment"]["LEADERBOARD_GPUS"] == settings["LEADERBOARD_GPUS"]

    root = settings["LEADERBOARD_DATA_ROOT"]
    for name in ("dashboard", "api"):  # readers: no Airflow secrets, the published snapshots only
        env = services[name]["environment"]
        assert env["LEADERBOARD_HOME"] == f"{root}/home", name
        assert not {"AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY", "POSTGRES_PASSWORD"} & env.keys(), name
        assert mounts(services[name]) == {(f"{root}/home/published", f"{root}/home/published")}, name
    for name in PLATFORM_SERVICES - {"dashboard", "api"}:
        env = services[name]["environment"]
        assert env["LEADERBOARD_RUNNER"] == "docker" and env["LEADERBOARD_GPU_QUEUE"] == "gpu", name
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == settings["AIRFLOW__API_AUTH__JWT_SECRET"], name
        assert settings["POSTGRES_PASSWORD"] in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        # the data root at the same path as on the host: the host's Docker resolves the bind mounts
        assert (root, root) in mounts(services[name]), name


@pytest.mark.parametrize("secret", ["POSTGRES_PASSWORD", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY"])
def test_compose_refuses_to_start_without_a_secret(tmp_path, secret):
    done = compose_config(tmp_path, {**filled_settings(), secret: ""})
    assert done.returncode != 0
    assert secret in done.stderr
