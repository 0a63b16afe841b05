"""Fixtures for the sandbox tests. `layer` runs a test under each isolation layer:
bwrap whenever bubblewrap is installed (a broken bubblewrap is a failure, not a skip), docker
when the daemon and the sandbox image answer; with LEADERBOARD_REQUIRE_DOCKER=1 (CI) a missing
daemon or image is a failure."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_DOCKER = os.environ.get("LEADERBOARD_REQUIRE_DOCKER") == "1"


def layer_or_skip(name: str) -> str:
    from leaderboard.sandbox.layers import bwrap_problem, docker_problem

    if name == "bwrap":
        if not shutil.which("bwrap"):
            pytest.skip("bubblewrap is not installed (Debian: apt-get install bubblewrap)")
        problem = bwrap_problem()
        if problem:
            pytest.fail(f"bubblewrap is installed but cannot run the sandbox: {problem}")
        return name
    problem = docker_problem()
    if problem:
        if REQUIRE_DOCKER:
            pytest.fail(f"LEADERBOARD_REQUIRE_DOCKER=1 but {problem}")
        pytest.skip(problem)
    return name


@pytest.fixture(scope="module", params=["bwrap", "docker"])
def layer(request) -> str:
    return layer_or_skip(request.param)
