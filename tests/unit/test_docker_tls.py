"""A Docker daemon reached over the network is used with client TLS, or not at all."""

import pytest

from leaderboard.settings import load_docker_settings


def _certs(folder, names=("ca", "cert", "key")):
    folder.mkdir()
    for name in names:
        (folder / f"{name}.pem").write_text(f"-----BEGIN {name}-----\n")
    return folder


def test_local_socket_and_loopback_need_no_tls(monkeypatch):
    for url in ("unix://var/run/docker.sock", "tcp://127.0.0.1:2375", "tcp://localhost:2375"):
        monkeypatch.setenv("LEADERBOARD_DOCKER_URL", url)
        assert load_docker_settings().tls_files() is None


def test_remote_daemon_without_tls_is_refused_naming_the_settings(monkeypatch):
    monkeypatch.setenv("LEADERBOARD_DOCKER_URL", "tcp://gpu-node:2375")
    with pytest.raises(ValueError, match="LEADERBOARD_DOCKER_URL=tcp://gpu-node:2375.*LEADERBOARD_DOCKER_CERT_PATH"):
        load_docker_settings().tls_files()


def test_missing_certificate_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADERBOARD_DOCKER_URL", "tcp://gpu-node:2376")
    monkeypatch.setenv("LEADERBOARD_DOCKER_CERT_PATH", str(_certs(tmp_path / "certs", ("ca", "cert"))))
    with pytest.raises(ValueError, match=r"lacks .*key\.pem"):
        load_docker_settings().tls_files()


def test_the_benchmark_operator_and_the_sandbox_client_use_the_certificates(monkeypatch, tmp_path):
    from leaderboard.docker_runner import BenchmarkContainerOperator
    from leaderboard.sandbox.layers import docker_client

    certs = _certs(tmp_path / "certs")
    monkeypatch.setenv("LEADERBOARD_DOCKER_URL", "tcp://gpu-node:2376")
    monkeypatch.setenv("LEADERBOARD_DOCKER_CERT_PATH", str(certs))
    op = BenchmarkContainerOperator(task_id="run_benchmark", image="leaderboard/harness:test", job={})
    assert (op.tls_ca_cert, op.tls_client_cert, op.tls_client_key, op.tls_verify) == (
        str(certs / "ca.pem"), str(certs / "cert.pem"), str(certs / "key.pem"), True)

    import docker

    seen = {}
    monkeypatch.setattr(docker, "DockerClient", lambda **kwargs: seen.update(kwargs))
    docker_client()
    assert seen["base_url"] == "tcp://gpu-node:2376"
    assert seen["tls"].cert == (str(certs / "cert.pem"), str(certs / "key.pem"))
    assert seen["tls"].ca_cert == str(certs / "ca.pem") and seen["tls"].verify is True
