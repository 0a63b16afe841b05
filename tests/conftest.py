"""Test-wide setup. Airflow reads its configuration when it is first imported, so its home
(a fresh SQLite metadata DB per test session) is set here, before any test imports it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers import REPO, SMOLLM, environment, run_evaluate_model

# Never import this module by name (`tests.conftest`): a second import would move AIRFLOW_HOME
# to a new, unmigrated folder for every Airflow process the tests start afterwards.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="airflow-tests-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
DEMO_MODELS = Path(os.environ.get("LEADERBOARD_DEMO_MODELS", REPO / "var" / "models"))
AIRFLOW = Path(sys.executable).with_name("airflow")


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated metadata DB with the project's pools: what dag.test() needs."""
    home = Path(os.environ["AIRFLOW_HOME"])
    subprocess.run([str(AIRFLOW), "db", "migrate"], check=True, capture_output=True)
    subprocess.run([str(AIRFLOW), "pools", "import", str(REPO / "include" / "leaderboard" / "pools.json")],
                   check=True, capture_output=True)
    return home


@pytest.fixture(scope="session")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


@pytest.fixture(scope="session")
def demo_models() -> Path:
    if not (DEMO_MODELS / "HuggingFaceTB" / "SmolLM2-135M-Instruct" / "model.safetensors").is_file():
        pytest.fail(f"demo models missing in {DEMO_MODELS}: run scripts/setup.sh")
    return DEMO_MODELS


@pytest.fixture(scope="session")
def local_ci_runs(dagbag, demo_models, tmp_path_factory):
    """SmolLM2 evaluated twice on the ci suite by the local runner, the second run replacing the first."""
    from leaderboard.settings import load_settings

    home = tmp_path_factory.mktemp("leaderboard-local")
    with environment(LEADERBOARD_HOME=str(home), LEADERBOARD_MODELS_DIR=str(demo_models), LEADERBOARD_RUNNER="local"):
        first = run_evaluate_model(dagbag, model_id=SMOLLM)
        second = run_evaluate_model(dagbag, model_id=SMOLLM, rerun=True)  # else refused as a duplicate
        return {"settings": load_settings(), "runs": [first, second]}


@pytest.fixture
def leaderboard_home(tmp_path, monkeypatch, demo_models) -> Path:
    home = tmp_path / "leaderboard"
    monkeypatch.setenv("LEADERBOARD_HOME", str(home))
    monkeypatch.setenv("LEADERBOARD_MODELS_DIR", str(demo_models))
    return home
