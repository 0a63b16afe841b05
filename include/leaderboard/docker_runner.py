"""The docker runner: one container per benchmark, as a DockerOperator mapped over the jobs.

The container runs the same entry point with the same arguments as the local runner. It gets
no network, the model folder and the data read-only, and an output folder it may write; the
results travel back as files on that mount, never through the operator's pickle output."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from airflow.providers.docker.operators.docker import DockerOperator
from docker.types import DeviceRequest, Mount

from leaderboard.errors import EvaluationFailed
from leaderboard.runners import write_job_file
from leaderboard.settings import load_docker_settings

MODEL_MOUNT, DATA_MOUNT, OUTPUT_MOUNT = "/model", "/data", "/output"


def device_requests(gpus: str) -> list[DeviceRequest] | None:
    """LEADERBOARD_GPUS: "none", "all", or a count of GPUs per container."""
    if gpus == "none":
        return None
    if gpus == "all":
        return [DeviceRequest(count=-1, capabilities=[["gpu"]])]
    if gpus.isdigit() and int(gpus) > 0:
        return [DeviceRequest(count=int(gpus), capabilities=[["gpu"]])]
    raise ValueError(f"LEADERBOARD_GPUS must be 'none', 'all' or a positive count, not {gpus!r}")


class BenchmarkContainerOperator(DockerOperator):
    """Evaluates one job in a fresh container. Expand it over the jobs (`job=`)."""

    template_fields = (*DockerOperator.template_fields, "job")

    def __init__(self, *, job: dict, **kwargs):
        # Read where the task runs: each worker knows its own daemon and GPUs.
        docker_settings = load_docker_settings()
        tls = docker_settings.tls_files()
        if tls:
            kwargs.update(tls_ca_cert=tls["ca"], tls_client_cert=tls["cert"], tls_client_key=tls["key"],
                          tls_verify=True)
        super().__init__(
            command=None, network_mode="none", mount_tmp_dir=False, auto_remove="never",
            docker_url=docker_settings.url, mem_limit=docker_settings.memory,
            shm_size=docker_settings.shm_size_bytes, device_requests=device_requests(docker_settings.gpus),
            user=f"{os.getuid()}:{os.getgid()}", labels={"leaderboard.component": "harness"},
            **kwargs)
        self.job = job
        self.docker_settings = docker_settings

    def execute(self, context):
        from leaderboard.pipeline import run_benchmark

        return run_benchmark(context["dag_run"].run_id, self.job, runner=ContainerRun(self))

    def _run_image_with_mounts(self, target_mounts, add_tmp_variable):
        # What the provider does not expose: a hard CPU quota and a process limit.
        cli = self.cli
        if not getattr(cli, "_leaderboard_limits", False):
            cli.create_host_config = functools.partial(
                cli.create_host_config, nano_cpus=int(self.docker_settings.cpus * 1e9),
                pids_limit=self.docker_settings.pids_limit)
            cli._leaderboard_limits = True
        return super()._run_image_with_mounts(target_mounts, add_tmp_variable)


class ContainerRun:
    """The Runner interface (leaderboard.runners.Runner) over one BenchmarkContainerOperator."""

    name = "docker"

    def __init__(self, operator: BenchmarkContainerOperator):
        self.op = operator

    def run(self, job: dict, model_path: Path, output_dir: Path) -> None:
        from leaderboard.settings import load_settings

        from docker.errors import DockerException, ImageNotFound

        op = self.op
        try:
            image_id = op.cli.inspect_image(op.image)["Id"]
        except ImageNotFound:
            raise EvaluationFailed(f"harness image {op.image} is not on {op.docker_url}: build it with "
                                   "scripts/build_images.sh (there is no registry to pull from)") from None
        except DockerException as exc:
            raise EvaluationFailed(f"cannot reach the Docker daemon at {op.docker_url}: {exc}") from None
        write_job_file(job, MODEL_MOUNT, DATA_MOUNT, output_dir,
                       {"runner": self.name, "image": op.image, "image_id": image_id})
        op.mounts = [
            Mount(MODEL_MOUNT, str(model_path), type="bind", read_only=True),
            Mount(DATA_MOUNT, str(load_settings().benchmarks_dir), type="bind", read_only=True),
            Mount(OUTPUT_MOUNT, str(output_dir), type="bind", read_only=False),
        ]
        op.command = ["--job", f"{OUTPUT_MOUNT}/job.json", "--output", OUTPUT_MOUNT]
        op.labels = {**(op.labels or {}), "leaderboard.job_id": job["job_id"]}
        try:
            DockerOperator.execute(op, context=None)
        except BaseException as exc:
            raise EvaluationFailed(self.failure_reason(exc)) from exc
        finally:
            self.remove_container()

    def failure_reason(self, exc: BaseException) -> str:
        state = self.container_state()
        if state.get("OOMKilled"):
            return f"out of memory: the container exceeded its {self.op.mem_limit} limit and was killed (exit 137)"
        if type(exc).__name__ == "AirflowTaskTimeout":
            self.stop_container()
            return f"timeout: the benchmark ran longer than the task's execution_timeout ({self.op.execution_timeout})"
        code = state.get("ExitCode")
        if code == 137:
            return "killed: the container got SIGKILL (exit 137) without running out of memory"
        if code is not None and code != 0:
            return f"the harness container exited with code {code}: {str(exc)[-1500:]}"
        return f"the container did not run: {exc}"

    def container_state(self) -> dict:
        if not self.op.container:
            return {}
        try:
            return self.op.cli.inspect_container(self.op.container["Id"])["State"]
        except Exception:  # noqa: BLE001 - the container may be gone already
            return {}

    def stop_container(self) -> None:
        if self.op.container:
            try:
                self.op.cli.stop(self.op.container["Id"], timeout=5)
            except Exception:  # noqa: BLE001
                pass

    def remove_container(self) -> None:
        if self.op.container and not self.op.docker_settings.keep_containers:
            try:
                self.op.cli.remove_container(self.op.container["Id"], force=True)
            except Exception:  # noqa: BLE001
                pass
