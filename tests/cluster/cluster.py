"""A real multi-process Airflow cluster on loopback, for the cluster tests.

Postgres (metadata DB and Celery result backend), Redis (Celery broker), the scheduler, the
dag-processor, the api-server and Celery workers, each its own process group under one temporary
folder, on free ports. Nothing here is a stand-in: these are the programs the compose file runs.
Every process is stopped and the folder removed on close(), whatever happened before."""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tests.helpers import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the platform venv: airflow lives next to this python
# postgres refuses to run as root: as root, run it as the user the Debian package creates
POSTGRES_USER = "postgres" if os.geteuid() == 0 else None
ADMIN_PASSWORD = secrets.token_urlsafe(12)


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def missing_services() -> list[str]:
    missing = []
    if postgres_bin() is None:
        missing.append("postgresql (no /usr/lib/postgresql/*/bin/postgres)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if POSTGRES_USER:
        import pwd

        try:
            pwd.getpwnam(POSTGRES_USER)
        except KeyError:
            missing.append(f"OS user {POSTGRES_USER!r}")
    return missing


def wait_for(what: str, check, timeout_s: float, diagnostics=lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if check():
                return
        except (OSError, httpx.TransportError):  # not listening yet
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout_s} s\n{diagnostics()}")
        time.sleep(0.5)


def descendants(pid: int) -> set[int]:
    """Every live process below pid (including those that left its process group)."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(Path(stat).parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@dataclass
class Service:
    name: str
    proc: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM
    log_offset: int = 0  # where this process's output starts in its log (a restart appends)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        with self.log.open("rb") as fh:
            fh.seek(self.log_offset)
            return fh.read().decode(errors="replace")

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def kill_hard(self) -> None:
        """What a dead node looks like: SIGKILL the process group and everything it started,
        including children in their own sessions (the harness subprocess)."""
        groups = {self.proc.pid}
        for pid in descendants(self.proc.pid):
            try:
                groups.add(os.getpgid(pid))
            except ProcessLookupError:
                pass
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()

    def stop(self, timeout_s: float = 20) -> None:
        if not self.alive():
            return
        try:
            os.killpg(self.proc.pid, self.stop_signal)
            self.proc.wait(timeout_s)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        if self.alive() or descendants(self.proc.pid):
            self.kill_hard()


@dataclass
class Cluster:
    root: Path
    pg_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    services: dict[str, Service] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # what every Airflow process of the cluster gets
    api: object = None  # leaderboard.airflow_api.AirflowAPI, once the api-server is up

    @property
    def airflow_home(self) -> Path:
        return self.root / "airflow"

    @property
    def leaderboard_home(self) -> Path:
        return self.root / "leaderboard"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def airflow_env(self, models_dir: Path, **extra: str) -> dict[str, str]:
        db = f"postgresql://airflow@127.0.0.1:{self.pg_port}/airflow"
        passwords = self.root / "passwords.json"
        passwords.write_text(json.dumps({"admin": ADMIN_PASSWORD}))
        # Nothing of the test session's Airflow or leaderboard settings leaks in, except where the
        # benchmark data and the eval environment are on this machine.
        carried = {"LEADERBOARD_BENCHMARKS_DIR", "LEADERBOARD_EVAL_PYTHON"}
        env = {k: v for k, v in os.environ.items() if k in carried or not k.startswith(("AIRFLOW", "LEADERBOARD_"))}
        env.update({
            "PATH": f"{BIN}:{env.get('PATH', '/usr/bin:/bin')}",
            "PYTHONPATH": str(REPO),  # for tests.cluster.worker_identity
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db.replace("postgresql://", "postgresql+psycopg2://"),
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{db}",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),  # shared by the api-server and the workers
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            # A dead worker is noticed within seconds, not the default five minutes.
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "2",
            "LEADERBOARD_HOME": str(self.leaderboard_home),
            "LEADERBOARD_MODELS_DIR": str(models_dir),
            "LEADERBOARD_RUNNER": "local",
            "LEADERBOARD_GPU_QUEUE": "gpu",  # read where the DAG is parsed: benchmark tasks go to `gpu`
            "LEADERBOARD_RETRY_DELAY_S": "2",
        })
        env.update(extra)
        return env

    def diagnostics(self) -> str:
        """Log tails of every service and of the latest task attempts, for failure messages."""
        parts = [f"--- {s.name} ({'running' if s.alive() else f'exited {s.proc.returncode}'}) ---\n{s.tail()}"
                 for s in self.services.values()]
        task_logs = sorted(self.airflow_home.glob("logs/dag_id=*/**/*.log"), key=lambda p: p.stat().st_mtime)
        for log in task_logs[-4:]:
            lines = log.read_text(errors="replace").splitlines()[-15:]
            parts.append(f"--- task log {log.relative_to(self.airflow_home)} ---\n" + "\n".join(lines))
        return "\n".join(parts)

    def start(self, name: str, argv: list[str], env: dict | None = None, user: str | None = None,
              stop_signal: int = signal.SIGTERM) -> Service:
        log = self.root / "logs" / f"{name}.log"
        log.parent.mkdir(exist_ok=True)
        offset = log.stat().st_size if log.is_file() else 0
        with log.open("ab") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, cwd=self.root, start_new_session=True, user=user,
                                    group=user, extra_groups=[] if user else None)
        self.services[name] = service = Service(name, proc, log, stop_signal, offset)
        return service

    def run(self, argv: list[str], env: dict, timeout_s: float = 300) -> str:
        done = subprocess.run(argv, env=env, cwd=self.root, capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    # --- the services -------------------------------------------------------------------
    def start_postgres(self) -> None:
        pg = postgres_bin()
        data = self.root / "pgdata"
        data.mkdir()
        if POSTGRES_USER:
            self.root.chmod(0o711)  # mkdtemp made it 0700: postgres must reach pgdata
            shutil.chown(data, POSTGRES_USER)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(data), "LANG": "C.UTF-8"}
        subprocess.run([str(pg / "initdb"), "-D", str(data), "-U", "airflow", "--auth=trust", "--no-sync",
                        "--encoding=UTF8"], env=env, user=POSTGRES_USER, group=POSTGRES_USER,
                       extra_groups=[] if POSTGRES_USER else None, check=True, capture_output=True, timeout=120)
        self.start("postgres", [str(pg / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(self.pg_port),
                                "-k", str(data), "-c", "fsync=off", "-c", "max_connections=200"],
                   env=env, user=POSTGRES_USER, stop_signal=signal.SIGINT)  # SIGINT: fast shutdown
        createdb = [str(pg / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "airflow", "airflow"]
        wait_for("postgres", lambda: subprocess.run(createdb, capture_output=True).returncode == 0, 60,
                 self.diagnostics)

    def start_redis(self) -> None:
        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        self.start("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                             "--save", "", "--appendonly", "no", "--dir", str(self.root)])
        wait_for("redis", ping, 30, self.diagnostics)

    def start_airflow(self, env: dict) -> None:
        self.airflow_home.mkdir()
        self.run([str(BIN / "airflow"), "db", "migrate"], env)
        self.run([str(BIN / "airflow"), "pools", "import", str(REPO / "include" / "leaderboard" / "pools.json")], env)
        for part in ("api-server", "scheduler", "dag-processor"):
            self.start(part, [str(BIN / "airflow"), part], env)

    def start_worker(self, hostname: str, queues: str, env: dict, concurrency: int) -> Service:
        """One `airflow celery worker`, named for Celery and for the task instances it runs."""
        return self.start(f"worker-{hostname}", [
            str(BIN / "airflow"), "celery", "worker", "--queues", queues, "--concurrency", str(concurrency),
            "--celery-hostname", f"{hostname}@cluster", "--skip-serve-logs", "--without-gossip", "--without-mingle",
        ], {**env, "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.cluster.worker_identity.hostname",
            "CLUSTER_WORKER_HOSTNAME": hostname})

    def worker_ready(self, service: Service) -> bool:
        if not service.alive():
            raise RuntimeError(f"{service.name} exited:\n{service.tail()}")
        return " ready." in service.output()

    def close(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()
        if os.environ.get("LEADERBOARD_KEEP_CLUSTER") == "1":  # keep the logs to debug
            print(f"cluster folder kept: {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def new_cluster() -> Cluster:
    return Cluster(Path(tempfile.mkdtemp(prefix="leaderboard-cluster-")))
