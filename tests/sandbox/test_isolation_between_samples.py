"""No state survives from one sample to the next, and no process a sample started outlives its
verdict. The batch runs one sample at a time so that "the next sample" is well defined."""

from __future__ import annotations

import pytest

from leaderboard.sandbox import Program, execute
from tests.sandbox.hostile import STRAY

LEAVE_STATE = STRAY + """
import builtins, json, os, sys, types
open("/tmp/leak.txt", "w").write("from sample 1")
open("leak-in-own-dir.txt", "w").write("from sample 1")
os.environ["LEAK"] = "from sample 1"
builtins.LEAKED = True
json.LEAKED = True
sys.modules["leaked_module"] = types.ModuleType("leaked_module")
LEAK = "a module global"
if os.fork() == 0:  # a plain child that outlives the sample and would write a file later
    import time
    time.sleep(1.0)
    open("/tmp/child-was-here.txt", "w").write("late")
    os._exit(0)
"""
SEE_NO_STATE = """
import builtins, json, os, sys
def strays():
    names = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                names.append(open(f"/proc/{pid}/comm").read().strip())
            except OSError:
                pass
    return names
"""
SEE_NO_STATE_TEST = """
assert not os.path.exists("/tmp/leak.txt")
assert not os.path.exists("leak-in-own-dir.txt")
assert [name for name in os.listdir("/tmp") if name != os.path.basename(os.getcwd())] == [], os.listdir("/tmp")
assert "LEAK" not in os.environ
assert not hasattr(builtins, "LEAKED")
assert not hasattr(json, "LEAKED")
assert "leaked_module" not in sys.modules
assert "LEAK" not in globals()
assert "sbx-stray" not in strays(), strays()
"""
LATE_CHECK_TEST = """
import os, time
time.sleep(1.5)
assert not os.path.exists("/tmp/child-was-here.txt")
assert not os.path.exists("/tmp/leak.txt")
"""


@pytest.fixture
def one_at_a_time(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_SANDBOX_CONCURRENCY", "1")


def test_nothing_survives_between_samples(layer, one_at_a_time):
    programs = [
        Program("leaves-state", LEAVE_STATE, "pass\n", 3.0),
        Program("sees-nothing", SEE_NO_STATE, SEE_NO_STATE_TEST, 3.0),
        Program("checks-later", "", LATE_CHECK_TEST, 4.0),
    ]
    verdicts = execute(programs, isolation=layer)
    assert [(v.sample_id, v.status, v.reason) for v in verdicts] == [
        ("leaves-state", "pass", ""), ("sees-nothing", "pass", ""), ("checks-later", "pass", "")]


def test_sees_nothing_check_can_fail(layer, one_at_a_time):
    """The check above is not vacuous: within one sample, the same state is visible."""
    verdicts = execute([Program("same-sample", LEAVE_STATE + SEE_NO_STATE, SEE_NO_STATE_TEST, 3.0)],
                       isolation=layer)
    assert verdicts[0].status == "fail", verdicts[0]
