"""Fixtures for the unit tests; the builders they use live in builders.py."""

import pytest

from builders import make_settings
from leaderboard.catalogue import load_catalogue
from leaderboard.runners import harness_fingerprint
from leaderboard.settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def harness() -> str:
    return harness_fingerprint()
