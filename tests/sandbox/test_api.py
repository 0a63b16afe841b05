"""Choosing the isolation layer, the unsandboxed opt-in, limits from the environment, bad input."""

from __future__ import annotations

import shutil

import pytest

from leaderboard.sandbox import Program, SandboxUnavailable, choose_isolation, execute, load_limits
from leaderboard.sandbox.layers import UNSANDBOXED_CONSENT, UNSANDBOXED_OPT_IN

OK = Program("ok", "def f():\n    return 1\n", "assert f() == 1\n", 2.0)
WRONG = Program("wrong", "def f():\n    return 2\n", "assert f() == 1\n", 2.0)
needs_bwrap = pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed")


def test_unknown_isolation_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_SANDBOX", "chroot")
    with pytest.raises(SandboxUnavailable, match="unknown sandbox isolation 'chroot'"):
        choose_isolation()


@pytest.mark.parametrize("consent", [None, "", "yes", "1", UNSANDBOXED_CONSENT.upper()])
def test_unsandboxed_needs_the_exact_opt_in(monkeypatch, consent):
    if consent is None:
        monkeypatch.delenv(UNSANDBOXED_OPT_IN, raising=False)
    else:
        monkeypatch.setenv(UNSANDBOXED_OPT_IN, consent)
    with pytest.raises(SandboxUnavailable, match=f"refusing to run generated code unsandboxed: set {UNSANDBOXED_OPT_IN}="):
        execute([OK], isolation="unsandboxed")


def test_unsandboxed_with_the_opt_in_runs_and_warns(monkeypatch, caplog):
    monkeypatch.setenv(UNSANDBOXED_OPT_IN, UNSANDBOXED_CONSENT)
    verdicts = execute([OK, WRONG], isolation="unsandboxed")
    assert [(v.sample_id, v.status) for v in verdicts] == [("ok", "pass"), ("wrong", "fail")]
    assert any(r.levelname == "WARNING" and "UNSANDBOXED" in r.getMessage() for r in caplog.records)


@needs_bwrap
def test_auto_uses_bwrap_for_the_local_runner(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_SANDBOX", "auto")
    monkeypatch.setenv("LEADERBOARD_RUNNER", "local")
    assert choose_isolation() == "bwrap"


@needs_bwrap
def test_auto_falls_back_to_bwrap_when_the_docker_daemon_is_gone(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADERBOARD_RUNNER", "docker")
    monkeypatch.setenv("LEADERBOARD_DOCKER_URL", f"unix://{tmp_path}/no-daemon.sock")
    assert choose_isolation() == "bwrap"
    with pytest.raises(SandboxUnavailable, match="Docker daemon .* does not answer"):
        choose_isolation("docker")


def test_no_layer_at_all_refuses_and_says_why(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADERBOARD_RUNNER", "docker")
    monkeypatch.setenv("LEADERBOARD_DOCKER_URL", f"unix://{tmp_path}/no-daemon.sock")
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    with pytest.raises(SandboxUnavailable) as caught:
        execute([OK])
    message = str(caught.value)
    assert "will not be run" in message and "does not answer" in message and "bubblewrap is not installed" in message


def test_missing_sandbox_image_names_the_build_script(monkeypatch):
    from leaderboard.sandbox.layers import docker_problem

    monkeypatch.setenv("LEADERBOARD_SANDBOX_IMAGE", "leaderboard/sandbox:does-not-exist")
    problem = docker_problem()
    if problem and "does not answer" in problem:
        pytest.skip(problem)
    assert problem == ("the sandbox image leaderboard/sandbox:does-not-exist is missing: "
                       "build it with scripts/build_images.sh")


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_SANDBOX_MEMORY_BYTES", "536870912")
    monkeypatch.setenv("LEADERBOARD_SANDBOX_TIMEOUT_S", "1.5")
    limits = load_limits()
    assert (limits.memory_bytes, limits.timeout_s, limits.processes) == (536870912, 1.5, 64)


def test_container_memory_makes_room_for_every_concurrent_sample(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_SANDBOX_CONCURRENCY", "4")
    monkeypatch.setenv("LEADERBOARD_SANDBOX_MEMORY_BYTES", str(1 << 30))
    monkeypatch.setenv("LEADERBOARD_SANDBOX_TMPFS_BYTES", str(256 << 20))
    assert load_limits().container_memory == (4 << 30) + (512 << 20)
    monkeypatch.setenv("LEADERBOARD_SANDBOX_CONTAINER_MEMORY_BYTES", str(8 << 30))
    assert load_limits().container_memory == 8 << 30


@pytest.mark.parametrize("value, message", [("lots", "must be a number"), ("-1", "must not be negative")])
def test_bad_limit_names_the_variable(monkeypatch, value, message):
    monkeypatch.setenv("LEADERBOARD_SANDBOX_PROCESSES", value)
    with pytest.raises(ValueError, match=f"LEADERBOARD_SANDBOX_PROCESSES {message}"):
        load_limits()


def test_duplicate_sample_ids_are_refused():
    with pytest.raises(ValueError, match=r"sample_id must be unique within a batch; repeated: \['ok'\]"):
        execute([OK, OK], isolation="bwrap")


@pytest.mark.parametrize("timeout", [float("inf"), float("nan")])
def test_a_timeout_must_be_finite(timeout):
    with pytest.raises(ValueError, match="program 'ok': timeout_s must be a finite number of seconds"):
        execute([Program("ok", OK.code, OK.test, timeout)], isolation="bwrap")


def test_an_empty_batch_starts_nothing(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_SANDBOX", "chroot")  # would be refused if a layer were chosen
    assert execute([]) == []


@needs_bwrap
def test_default_timeout_applies_when_a_program_asks_for_none(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_SANDBOX_TIMEOUT_S", "0.5")
    [verdict] = execute([Program("loop", "while True:\n    pass\n", "pass\n", 0)], isolation="bwrap")
    assert (verdict.status, verdict.reason) == ("timeout", "timed out after 0.5 s")
