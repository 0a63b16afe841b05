"""Execution sandbox for generated code: scores untrusted programs pass/fail/timeout/error.

API (stable; callers import only these names):

    from leaderboard.sandbox import Program, Verdict, SandboxUnavailable, execute

    Program(sample_id: str, code: str, test: str, timeout_s: float)
        code: UNTRUSTED (prompt + completion), run first at module level;
        test: trusted test code, run afterwards in the same namespace; raising => not passed.
    Verdict(sample_id, status, reason, output, duration_s)
        status: "pass" | "fail" (a test assertion failed) | "timeout" | "error" (anything else)
    execute(programs, isolation=None) -> list[Verdict]   # same order as programs
        isolation: "docker" | "bwrap" | "unsandboxed" | None (choose from LEADERBOARD_SANDBOX).
    SandboxUnavailable(LeaderboardError): no isolation layer works; the message says why and how to fix.

How a batch runs. One isolation layer is started per batch (leaderboard.sandbox.layers): a
container from the sandbox image, or bubblewrap. Inside it, one worker
(eval_images/sandbox/worker.py, pid 1 of the sandbox's pid namespace) keeps one supervisor per
concurrent slot (one per core by default). For each sample a supervisor forks a child in a new
session with rlimits (CPU, address space, processes, file size, open files), a clean
environment and a fresh directory, enforces the wall clock, and afterwards SIGKILLs and reaps
every process the sample left (it is a child subreaper, so double-forked and setsid'd processes
land on it) and wipes the directory before it reports. Stray files a sample left elsewhere in
/tmp are deleted before the next sample starts.

The result channel. The sample process runs `code` first. Only when `code` has returned does
it ask its supervisor (over a pipe) for the sample's random 128-bit nonce; it then runs `test`
and writes the nonce back. "pass" needs that exact nonce AND a normal exit with status 0, so
exiting early with any status (sys.exit, os._exit, SystemExit from an atexit hook), printing a
fake marker (stdout is a different pipe), or killing the supervisor or worker never passes.
Before `test` runs, builtins are restored from a snapshot taken before `code` ran, tracing and
profiling hooks are removed and sys.stdout/stderr reset; the harness only uses references it
took before `code` ran, and leaves with os._exit (atexit hooks never run).

What this does NOT defend (residual, in-process): `code` and `test` share one interpreter, as
they must. A completion written against this harness can find the pipes among its own file
descriptors, ask for the nonce itself and forge the pass message; it can monkeypatch modules
the test imports, or return objects whose __eq__ always answers True. These are attacks on the
scoring of its own sample only: they cannot reach the host, the network, other batches, or
(outside the timing window below) other samples. Samples running at the same time in one batch
share the sandbox user, so a hostile sample can signal or write into a concurrent sample; the
worker detects a supervisor that dies or stops answering, kills everything in the sandbox and
scores the affected samples again one at a time, and stray files outside a sample's own
directory are deleted after every sample.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from typing import Sequence

from leaderboard.sandbox.layers import (ISOLATIONS, UNSANDBOXED_CONSENT, UNSANDBOXED_OPT_IN, SandboxUnavailable,
                                        WorkerFailed, bwrap_problem, docker_problem, run_bwrap, run_docker,
                                        run_unsandboxed, sandbox_image)
from leaderboard.sandbox.limits import SandboxLimits, load_limits

__all__ = ["Program", "Verdict", "SandboxUnavailable", "WorkerFailed", "SandboxLimits", "execute",
           "choose_isolation", "load_limits", "sandbox_image"]

log = logging.getLogger(__name__)
STATUSES = ("pass", "fail", "timeout", "error")


@dataclass(frozen=True)
class Program:
    sample_id: str  # unique within a batch
    code: str  # UNTRUSTED: prompt + the model's completion, run first at module level
    test: str  # trusted benchmark test code, run after `code` in the same namespace
    timeout_s: float  # wall-clock limit of this sample; <= 0 means the configured default


@dataclass(frozen=True)
class Verdict:
    sample_id: str
    status: str  # "pass" | "fail" | "timeout" | "error"
    reason: str  # short: "AssertionError", "timed out after 3 s", "exited before the tests finished (status 0)"
    output: str  # stdout+stderr, truncated
    duration_s: float


def choose_isolation(requested: str | None = None) -> str:
    """The isolation layer to use: `requested`, else LEADERBOARD_SANDBOX (auto|docker|bwrap).
    auto = docker when the runner is docker and its daemon and image answer, else bwrap."""
    choice = requested or os.environ.get("LEADERBOARD_SANDBOX", "auto")
    if choice not in (*ISOLATIONS, "auto"):
        raise SandboxUnavailable(f"unknown sandbox isolation {choice!r}: use one of auto, {', '.join(ISOLATIONS)} "
                                 "(LEADERBOARD_SANDBOX)")
    if choice == "unsandboxed":
        consent = os.environ.get(UNSANDBOXED_OPT_IN, "")
        if consent != UNSANDBOXED_CONSENT:
            raise SandboxUnavailable(f"refusing to run generated code unsandboxed: set {UNSANDBOXED_OPT_IN}="
                                     f"{UNSANDBOXED_CONSENT} to accept that it can read and change this machine")
        return choice
    if choice == "docker":
        problem = docker_problem()
        if problem:
            raise SandboxUnavailable(f"the docker sandbox is unavailable: {problem}")
        return choice
    if choice == "bwrap":
        problem = bwrap_problem()
        if problem:
            raise SandboxUnavailable(f"the bubblewrap sandbox is unavailable: {problem}")
        return choice
    reasons = []
    if os.environ.get("LEADERBOARD_RUNNER", "local") == "docker":
        problem = docker_problem()
        if problem is None:
            return "docker"
        reasons.append(f"docker: {problem}")
    else:
        reasons.append("docker: not tried, the runner is not docker (LEADERBOARD_RUNNER)")
    problem = bwrap_problem()
    if problem is None:
        return "bwrap"
    reasons.append(f"bwrap: {problem}")
    raise SandboxUnavailable("no sandbox can run generated code here, so it will not be run. "
                             + "; ".join(reasons))


def execute(programs: Sequence[Program], isolation: str | None = None) -> list[Verdict]:
    """Score `programs` in one sandbox batch; the verdicts come back in the same order."""
    programs = list(programs)
    if not programs:
        return []
    ids = [p.sample_id for p in programs]
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"sample_id must be unique within a batch; repeated: {duplicates[:5]}")
    for program in programs:
        if not (isinstance(program.code, str) and isinstance(program.test, str)):
            raise ValueError(f"program {program.sample_id!r}: code and test must be strings")
        if not math.isfinite(program.timeout_s):
            raise ValueError(f"program {program.sample_id!r}: timeout_s must be a finite number of seconds, "
                             f"not {program.timeout_s!r}")
    limits = load_limits()
    layer = choose_isolation(isolation)
    if layer == "unsandboxed":
        log.warning("RUNNING %d GENERATED PROGRAMS UNSANDBOXED (%s=%s): they can read and change this machine",
                    len(programs), UNSANDBOXED_OPT_IN, UNSANDBOXED_CONSENT)
    documents = [{"sample_id": p.sample_id, "code": p.code, "test": p.test,
                  "timeout_s": p.timeout_s if p.timeout_s > 0 else limits.timeout_s} for p in programs]
    run = {"docker": run_docker, "bwrap": run_bwrap, "unsandboxed": run_unsandboxed}[layer]
    stdout = run(documents, limits)
    found: dict[int, Verdict] = {}
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
            index = int(record["index"])
        except (ValueError, KeyError, TypeError):
            raise WorkerFailed(f"the sandbox worker sent a malformed verdict: {line[:200]}") from None
        if record.get("status") not in STATUSES or not 0 <= index < len(programs):
            raise WorkerFailed(f"the sandbox worker sent a malformed verdict: {line[:200]}")
        found[index] = Verdict(sample_id=programs[index].sample_id, status=record["status"],
                               reason=record.get("reason", ""), output=record.get("output", ""),
                               duration_s=float(record.get("duration_s", 0.0)))
    missing = [programs[i].sample_id for i in range(len(programs)) if i not in found]
    if missing:
        raise WorkerFailed(f"the sandbox worker returned no verdict for {len(missing)} samples, e.g. {missing[:3]}")
    log.info("sandbox (%s): %d programs, %s", layer, len(programs),
             {s: sum(v.status == s for v in found.values()) for s in STATUSES})
    return [found[i] for i in range(len(programs))]
