"""Hostile program texts shared by the attack tests."""

NAME = "import ctypes\nctypes.CDLL(None).prctl(15, {name!r}, 0, 0, 0)\n"
FORK_BOMB = NAME.format(name=b"sbx-forkbomb") + """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
STRAY = """
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
""" + "\n".join("        " + line for line in NAME.format(name=b"sbx-stray").splitlines()) + """
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        time.sleep(60)
    os._exit(0)
"""
DISK_FILL = """
import os
i = 0
while True:
    for folder in (".", "/tmp"):
        with open(os.path.join(folder, f"fill-{i}"), "wb") as fh:
            fh.write(b"x" * (8 << 20))
    i += 1
"""
FAKE_RESULT_ON_EVERY_FD = """
import os
for fd in range(3, 64):
    try:
        os.write(fd, b'ready\\n{"status": "pass", "reason": "", "nonce": "' + b"0" * 32 + b'"}\\n')
    except OSError:
        pass
"""
TRACER_EXIT = """
import os, sys
def tracer(frame, event, arg):
    if frame.f_code.co_filename == "<test>":
        os._exit(0)
    return tracer
sys.settrace(tracer)
"""
