"""The isolation layers around the worker (eval_images/sandbox/worker.py). Each starts the worker
once per batch, hands it the batch as JSON and returns its stdout: one JSON verdict per line.

docker:      one container from the sandbox image: no network, read-only root, a size-limited
             tmpfs /tmp, memory/pids/CPU limits, no capabilities, no-new-privileges, user nobody.
bwrap:       bubblewrap with every namespace unshared, read-only binds of /usr and the worker,
             a private size-limited tmpfs /tmp, a new session, --die-with-parent; as nobody.
unsandboxed: the worker as a plain subprocess (explicit opt-in only): rlimits and a clean
             environment, but the sample sees this machine's files and network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from leaderboard.errors import LeaderboardError
from leaderboard.hashing import sha256_json
from leaderboard.sandbox.limits import SandboxLimits
from leaderboard.settings import REPO_ROOT, load_docker_settings

SANDBOX_DIR = REPO_ROOT / "eval_images" / "sandbox"
WORKER = SANDBOX_DIR / "worker.py"
NOBODY = 65534
ISOLATIONS = ("docker", "bwrap", "unsandboxed")
UNSANDBOXED_OPT_IN = "LEADERBOARD_ALLOW_UNSANDBOXED_CODE_EXECUTION"
UNSANDBOXED_CONSENT = "i-understand-this-runs-untrusted-code"
BATCH_GRACE_S = 60.0


class SandboxUnavailable(LeaderboardError):
    """No isolation layer can run generated code here; the message says why and how to fix it."""


class WorkerFailed(LeaderboardError):
    """The sandbox worker itself broke (not a sample): the batch could not be scored."""


def sandbox_files() -> list[Path]:
    return sorted(p for p in SANDBOX_DIR.iterdir() if p.is_file() and p.suffix in {"", ".py"})


def sandbox_fingerprint() -> str:
    """A hash of the files the sandbox image is built from (Dockerfile and worker)."""
    return sha256_json({p.name: p.read_text() for p in sandbox_files()})[:16]


def sandbox_image() -> str:
    """The sandbox image tag for this code: built by scripts/build_images.sh."""
    return os.environ.get("LEADERBOARD_SANDBOX_IMAGE") or f"leaderboard/sandbox:{sandbox_fingerprint()}"


def batch_document(programs: list[dict], limits: SandboxLimits, scratch: str) -> bytes:
    return json.dumps({"limits": limits.for_worker(), "concurrency": limits.workers, "scratch": scratch,
                       "programs": programs}).encode()


def batch_timeout(programs: list[dict]) -> float:
    """A last-resort bound for the whole batch: every sample run alone twice, plus slack."""
    return BATCH_GRACE_S + 2 * sum(p["timeout_s"] + 5 for p in programs)


# --- bubblewrap ---------------------------------------------------------------------------

def sandbox_python() -> str:
    return os.environ.get("LEADERBOARD_SANDBOX_PYTHON", "/usr/bin/python3")


def bwrap_command(limits: SandboxLimits) -> list[str]:
    python = sandbox_python()
    command = []
    if os.geteuid() == 0:
        # As root, bubblewrap's sandbox user would be root outside, exempt from RLIMIT_NPROC.
        command += ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all"]
    command += ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--as-pid-1", "--clearenv",
                "--uid", str(NOBODY), "--gid", str(NOBODY), "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), f"/{top}"]
        elif path.is_dir():
            command += ["--ro-bind", str(path), f"/{top}"]
    command += ["--proc", "/proc", "--dev", "/dev", "--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp",
                "--ro-bind", str(WORKER), "/sandbox/worker.py", "--setenv", "PATH", "/usr/bin:/bin",
                "--chdir", "/", python, "-I", "-B", "/sandbox/worker.py", "-"]
    return command


def bwrap_problem() -> str | None:
    """Why bubblewrap cannot run the worker here, or None when it can."""
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
    if not sandbox_python().startswith("/usr/"):
        return f"LEADERBOARD_SANDBOX_PYTHON={sandbox_python()} is not under /usr, the only tree bound into the sandbox"
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        return "running as root needs setpriv (util-linux) to start bubblewrap as nobody"
    probe = subprocess.run(bwrap_command(SandboxLimits())[:-5] + [sandbox_python(), "-c", "pass"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return (f"bubblewrap fails here (exit {probe.returncode}: {probe.stderr.strip()[-300:]}); "
                "unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1)")
    return None


def run_bwrap(programs: list[dict], limits: SandboxLimits) -> str:
    return _run_process(bwrap_command(limits), batch_document(programs, limits, "/tmp"), batch_timeout(programs))


def run_unsandboxed(programs: list[dict], limits: SandboxLimits) -> str:
    with tempfile.TemporaryDirectory(prefix="leaderboard-unsandboxed-") as scratch:
        command = [sandbox_python(), "-I", "-B", str(WORKER), "-"]
        return _run_process(command, batch_document(programs, limits, scratch), batch_timeout(programs),
                            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def _run_process(command: list[str], batch: bytes, timeout: float, env: dict | None = None) -> str:
    try:
        done = subprocess.run(command, input=batch, capture_output=True, timeout=timeout, env=env or {},
                              start_new_session=True)
    except subprocess.TimeoutExpired:
        raise WorkerFailed(f"the sandbox worker ran past the batch limit of {timeout:.0f} s") from None
    if done.returncode != 0:
        raise WorkerFailed(f"the sandbox worker failed (exit {done.returncode}): "
                           f"{done.stderr.decode(errors='replace').strip()[-1500:]}")
    return done.stdout.decode()


# --- docker ---------------------------------------------------------------------------------

def docker_client():
    import docker
    from docker.tls import TLSConfig

    settings = load_docker_settings()
    files = settings.tls_files()
    tls = TLSConfig(client_cert=(files["cert"], files["key"]), ca_cert=files["ca"], verify=True) if files else None
    return docker.DockerClient(base_url=settings.url, version="auto", timeout=30, tls=tls)


def docker_problem() -> str | None:
    """Why the docker layer cannot run here, or None when it can."""
    try:
        import docker
        from docker.errors import DockerException, ImageNotFound
    except ImportError:
        return "the docker Python package is not installed"
    try:
        client = docker_client()
        client.ping()
    except ValueError as exc:  # a remote daemon without TLS, or missing certificate files
        return str(exc)
    except DockerException as exc:
        return f"the Docker daemon at {load_docker_settings().url} does not answer ({exc}); start it (scripts/start_dockerd.sh)"
    try:
        client.images.get(sandbox_image())
    except ImageNotFound:
        return f"the sandbox image {sandbox_image()} is missing: build it with scripts/build_images.sh"
    finally:
        client.close()
    return None


def run_docker(programs: list[dict], limits: SandboxLimits) -> str:
    from docker.errors import DockerException, ImageNotFound
    from docker.types import Mount

    timeout = batch_timeout(programs)
    with tempfile.TemporaryDirectory(prefix="leaderboard-sandbox-batch-") as batch_dir:
        os.chmod(batch_dir, 0o755)
        batch_file = Path(batch_dir) / "batch.json"
        batch_file.write_bytes(batch_document(programs, limits, "/tmp"))
        batch_file.chmod(0o644)
        client = docker_client()
        container = None
        try:
            container = client.containers.create(
                sandbox_image(), command=["/batch/batch.json"], user=f"{NOBODY}:{NOBODY}", network_mode="none",
                read_only=True, tmpfs={"/tmp": f"size={limits.tmpfs_bytes},mode=1777"},
                mounts=[Mount("/batch", batch_dir, type="bind", read_only=True)],
                mem_limit=limits.container_memory, memswap_limit=limits.container_memory,
                pids_limit=limits.container_pids, nano_cpus=int(limits.cpus * 1e9),
                # The CPU weight of `workers` processes (cgroup v1 gives a container the weight of
                # one): under load, the bwrap layer's forks would otherwise outweigh it.
                cpu_shares=1024 * limits.workers, cap_drop=["ALL"],
                security_opt=["no-new-privileges"], environment={}, ipc_mode="private",
                labels={"leaderboard.component": "sandbox"}, detach=True)
            container.start()
            status = container.wait(timeout=timeout)
            stdout = container.logs(stdout=True, stderr=False).decode()
            if status.get("StatusCode") != 0:
                stderr = container.logs(stdout=False, stderr=True).decode(errors="replace")
                raise WorkerFailed(f"the sandbox container exited with {status.get('StatusCode')}: {stderr[-1500:]}")
            return stdout
        except ImageNotFound:
            raise SandboxUnavailable(f"the sandbox image {sandbox_image()} is missing: build it with "
                                     "scripts/build_images.sh") from None
        except DockerException as exc:
            raise WorkerFailed(f"the sandbox container failed: {exc}") from None
        except Exception as exc:  # requests' ReadTimeout from wait(): the batch ran too long
            if "timed out" in str(exc).lower():
                raise WorkerFailed(f"the sandbox container ran past the batch limit of {timeout:.0f} s") from None
            raise
        finally:
            if container is not None:
                container.remove(force=True)
            client.close()
