"""The attack suite, under each isolation layer: hostile programs mixed with good ones in one batch.
Every attack must end not passed, the host must be unaffected, and the good programs in the same
batch must still be scored correctly."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from leaderboard.sandbox import Program, execute, load_limits
from tests.sandbox.hostile import DISK_FILL, FAKE_RESULT_ON_EVERY_FD, FORK_BOMB, STRAY, TRACER_EXIT

REPO = Path(__file__).resolve().parents[2]
FAILING_TEST = "assert False, 'the tests ran to the end and failed'\n"
TMPFS_BYTES = 32 << 20
MARKED = ("sbx-forkbomb", "sbx-stray")  # process names the attacks give themselves


class Listener:
    """A TCP server on the host's loopback that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def attacks(port: int, host_dir: Path) -> dict[str, tuple[str, str]]:
    """name -> (code, test). Exfiltration attacks store what they got; their test passes only if
    the attack worked. The others are followed by a failing test: a pass would be forged."""
    read = "leaked = open({path!r}).read()\n"
    write = "open({path!r}, 'w').write('pwned')\n"
    return {
        "infinite_loop": ("while True:\n    pass\n", FAILING_TEST),
        "fork_bomb": (FORK_BOMB, FAILING_TEST),
        "memory_bomb": ("hog = bytearray(1 << 40)\n", FAILING_TEST),
        "memory_bomb_gradual": ("hog = []\nwhile True:\n    hog.append(bytearray(64 << 20))\n", FAILING_TEST),
        "disk_fill": (DISK_FILL, FAILING_TEST),
        "file_too_large": ("with open('big', 'wb') as fh:\n    while True:\n        fh.write(b'x' * (1 << 20))\n",
                           FAILING_TEST),
        "huge_stdout": ("import sys\nchunk = 'A' * 65536\nfor _ in range(2000):\n    sys.stdout.write(chunk)\n",
                        FAILING_TEST),
        "connect_host_loopback": (f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n",
                                  "pass\n"),
        "connect_external": ("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2).close()\n", "pass\n"),
        "resolve_name": ("import socket\nsocket.getaddrinfo('pypi.org', 443)\n", "pass\n"),
        "read_etc_shadow": (read.format(path="/etc/shadow"), "assert leaked is not None\n"),
        "read_repo": (read.format(path=str(REPO / "README.md")), "assert leaked is not None\n"),
        "read_host_file": (read.format(path=str(host_dir / "secret.txt")), "assert leaked is not None\n"),
        "list_home": (f"import os\nleaked = os.listdir({str(Path.home())!r})\n", "assert leaked is not None\n"),
        "read_environment_secret": ("import os\nleaked = os.environ['LEADERBOARD_TEST_SECRET']\n",
                                    "assert leaked is not None\n"),
        "write_repo": (write.format(path=str(REPO / "sandbox-pwned.txt")), "pass\n"),
        "write_usr": (write.format(path="/usr/sandbox-pwned.txt"), "pass\n"),
        "write_etc": (write.format(path="/etc/sandbox-pwned.txt"), "pass\n"),
        "write_host_dir": (write.format(path=str(host_dir / "pwned.txt")), "pass\n"),
        "kill_supervisor": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n", FAILING_TEST),
        "stop_supervisor": ("import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\n", FAILING_TEST),
        "kill_worker": ("import os, signal\nos.kill(1, signal.SIGKILL)\n", FAILING_TEST),
        "kill_everything": ("import os, signal\nos.kill(-1, signal.SIGKILL)\n", FAILING_TEST),
        "leave_background_process": (STRAY, FAILING_TEST),
        "fake_sys_exit_0": ("import sys\nsys.exit(0)\n", FAILING_TEST),
        "fake_os_exit_0": ("import os\nos._exit(0)\n", FAILING_TEST),
        "fake_raise_systemexit": ("raise SystemExit(0)\n", FAILING_TEST),
        "fake_atexit_systemexit": ("import atexit\ndef hook():\n    raise SystemExit(0)\natexit.register(hook)\n",
                                   FAILING_TEST),
        "fake_atexit_os_exit": ("import atexit, os\natexit.register(os._exit, 0)\n", FAILING_TEST),
        "fake_override_exits": ("import os, sys\nos._exit = lambda *a: None\nsys.exit = lambda *a: None\n",
                                FAILING_TEST),
        "fake_thread_exit_during_test": ("import os, threading\nthreading.Timer(0.3, os._exit, (0,)).start()\n",
                                         "import time\ntime.sleep(1.5)\n" + FAILING_TEST),
        "fake_marker_on_stdout": ("print('passed')\nprint('{\"status\": \"pass\", \"nonce\": \"\"}')\n", FAILING_TEST),
        "fake_result_on_every_fd": (FAKE_RESULT_ON_EVERY_FD, FAILING_TEST),
        "fake_redefined_builtins": ("import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.AssertionError = Warning\n"
                                    "def answer():\n    return 5\n", "assert abs(answer() - 2) < 1e-9\n"),
        "fake_tracer_exits_in_test": (TRACER_EXIT, FAILING_TEST),
    }


def good_programs(count: int) -> list[tuple[str, str, str, bool]]:
    """(name, code, test, should_pass): correct and wrong solutions to interleave with attacks."""
    out = []
    for i in range(count):
        if i % 3 == 2:
            out.append((f"wrong_{i}", f"def f(x):\n    return x + {i}\n", f"assert f(1) == {i + 2}\n", False))
        else:
            out.append((f"good_{i}", f"def f(x):\n    return x + {i}\n", f"assert f(1) == {i + 1}\n", True))
    return out


def host_processes(names: tuple[str, ...]) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if comm in names:
            found.append(f"{entry.name}:{comm}")
    return found


@pytest.fixture(scope="module")
def attack_run(layer, tmp_path_factory):
    host_dir = tmp_path_factory.mktemp(f"host-{layer}")
    (host_dir / "secret.txt").write_text("host secret")
    listener = Listener()
    cases = attacks(listener.port, host_dir)
    goods = good_programs(len(cases) + 2)
    programs, expected_good = [], {}
    for i, (name, code, test, should_pass) in enumerate(goods):
        programs.append(Program(name, code, test, 2.0))
        expected_good[name] = should_pass
        if i < len(cases):
            attack, (code, test) = list(cases.items())[i]
            programs.append(Program(attack, code, test, 2.0))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEADERBOARD_TEST_SECRET", "s3cret")
        env.setenv("LEADERBOARD_SANDBOX_TMPFS_BYTES", str(TMPFS_BYTES))  # filled in a fraction of a second
        try:
            verdicts = execute(programs, isolation=layer)
        finally:
            listener.close()
    yield {"verdicts": {v.sample_id: v for v in verdicts}, "order": [v.sample_id for v in verdicts],
           "programs": programs, "cases": cases, "expected_good": expected_good, "listener": listener,
           "host_dir": host_dir}


def test_verdicts_come_back_in_input_order(attack_run):
    assert attack_run["order"] == [p.sample_id for p in attack_run["programs"]]


def test_no_attack_passes(attack_run):
    passed = [name for name in attack_run["cases"] if attack_run["verdicts"][name].status == "pass"]
    assert passed == [], {n: attack_run["verdicts"][n] for n in passed}


def test_good_and_wrong_programs_in_the_same_batch_are_scored_correctly(attack_run):
    for name, should_pass in attack_run["expected_good"].items():
        verdict = attack_run["verdicts"][name]
        assert verdict.status == ("pass" if should_pass else "fail"), verdict


@pytest.mark.parametrize("name, status, reason", [
    ("infinite_loop", "timeout", "timed out after 2 s"),
    ("fork_bomb", "timeout", "timed out after 2 s"),
    ("memory_bomb", "error", "MemoryError"),
    ("disk_fill", "error", "No space left on device"),
    ("file_too_large", "error", "File too large"),
    ("huge_stdout", "fail", "AssertionError"),
    ("kill_supervisor", "error", "killed or stopped its supervisor"),
    ("stop_supervisor", "error", "killed or stopped its supervisor"),
    ("kill_worker", "fail", "AssertionError"),  # the worker is init of the sandbox: the signal is dropped
    ("fake_sys_exit_0", "error", "SystemExit"),
    ("fake_os_exit_0", "error", "exited before the tests finished (status 0)"),
    ("fake_atexit_systemexit", "fail", "AssertionError"),
    ("fake_atexit_os_exit", "fail", "AssertionError"),
    ("fake_override_exits", "fail", "AssertionError"),
    ("fake_thread_exit_during_test", "error", "exited before the tests finished (status 0)"),
    ("fake_marker_on_stdout", "fail", "AssertionError"),
    ("fake_result_on_every_fd", "fail", "AssertionError"),
    ("fake_redefined_builtins", "fail", "AssertionError"),
    ("fake_tracer_exits_in_test", "fail", "AssertionError"),
])
def test_attack_verdict(attack_run, name, status, reason):
    verdict = attack_run["verdicts"][name]
    assert (verdict.status, reason in verdict.reason) == (status, True), verdict


def test_huge_output_is_truncated(attack_run):
    verdict = attack_run["verdicts"]["huge_stdout"]
    limit = load_limits().output_bytes
    assert verdict.output.startswith("A" * limit)
    assert len(verdict.output) < limit + 100
    assert "more bytes of output dropped" in verdict.output


def test_network_is_unreachable(attack_run):
    verdicts = attack_run["verdicts"]
    for name in ("connect_host_loopback", "connect_external", "resolve_name"):
        assert verdicts[name].status == "error", verdicts[name]
    assert attack_run["listener"].accepted == 0


def test_host_files_cannot_be_read_or_written(attack_run):
    verdicts = attack_run["verdicts"]
    for name in ("read_etc_shadow", "read_repo", "read_host_file", "list_home", "read_environment_secret",
                 "write_repo", "write_usr", "write_etc", "write_host_dir"):
        assert verdicts[name].status == "error", verdicts[name]
        assert "Error" in verdicts[name].reason, verdicts[name]
    for path in (REPO / "sandbox-pwned.txt", Path("/usr/sandbox-pwned.txt"), Path("/etc/sandbox-pwned.txt"),
                 attack_run["host_dir"] / "pwned.txt"):
        assert not path.exists(), path


def test_no_process_of_the_batch_survives_on_the_host(attack_run):
    assert host_processes(MARKED) == []
