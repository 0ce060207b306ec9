"""``python -m simulator`` as a program: ready file, TLS, curl, signals, options, stderr log."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from simulator.cli import DEMO_BASE_PORT, DEMO_PASSWORD, parse_options
from simulator.tls import ensure_certificates
from tests.conftest import StartSimulator
from tests.helpers.simulator_process import ROOT, SimulatorProcess

# tests.helpers passes the CA path to httpx as ``verify=<str>``, deprecated in httpx 0.28.
pytestmark = pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")

READY_KEYS = {
    "endpoints",
    "control_url",
    "control_token",
    "ca_file",
    "username",
    "password",
    "viewer_username",
    "viewer_password",
}
LOG_KEYS = {"ts", "endpoint", "server_id", "method", "path", "status", "duration_ms"}
EXIT_DEADLINE_S = 30.0


def client_for(sim: SimulatorProcess) -> httpx.Client:
    assert sim.info.ca_file is not None
    return httpx.Client(verify=ssl.create_default_context(cafile=sim.info.ca_file), timeout=30)


def port_of(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m simulator`` expecting it to exit on its own (bad input)."""
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=EXIT_DEADLINE_S,
        check=False,
    )


def test_ready_file_and_stdout_announce_every_endpoint(start_own_simulator: StartSimulator) -> None:
    simulator = start_own_simulator("--servers", "4")
    raw = json.loads(simulator.ready_file.read_text(encoding="utf-8"))
    stdout_lines = simulator.stdout_path.read_text(encoding="utf-8").splitlines()

    assert set(raw) == READY_KEYS
    assert [e["server_id"] for e in raw["endpoints"]] == ["as-01", "as-02", "as-03", "as-04"]
    ports = {port_of(e["url"]) for e in raw["endpoints"]}
    assert len(ports) == 4, "one port per endpoint"
    for endpoint in raw["endpoints"]:
        assert endpoint["url"] == f"https://127.0.0.1:{port_of(endpoint['url'])}/EkranSystem"
    assert raw["control_url"].startswith("https://127.0.0.1:")
    assert port_of(raw["control_url"]) not in ports
    assert Path(raw["ca_file"]) == (simulator.tls_dir / "ca.pem").resolve()
    assert raw["username"] == "admin"
    assert raw["viewer_username"] == "viewer"
    assert raw["password"]
    assert raw["viewer_password"]
    assert raw["control_token"]
    assert raw["password"] != raw["viewer_password"]
    assert json.loads(stdout_lines[0]) == raw, "stdout repeats the ready JSON on one line"


def test_curl_trusts_the_ca_and_sees_the_server_stop(simulator: SimulatorProcess) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("the curl binary is not installed on this machine")
    url = f"{simulator.url_of('as-02')}/healthcheck?debug=True"
    command = [curl, "-sS", "--cacert", str(simulator.tls_dir / "ca.pem"), "-w", "\n%{http_code}"]

    def fetch() -> tuple[int, str]:
        result = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=30, check=True
        )
        body, _, code = result.stdout.rpartition("\n")
        return int(code), body

    healthy_code, healthy_body = fetch()
    simulator.stop_server("as-02")
    stopped_code, stopped_body = fetch()

    assert healthy_code == 200
    assert json.loads(healthy_body)["status"] == "Healthy"
    assert stopped_code == 503
    assert json.loads(stopped_body)["status"] == 503


def test_sigterm_exits_cleanly_with_status_0(start_own_simulator: StartSimulator) -> None:
    sim = start_own_simulator("--servers", "2")

    assert sim.stop(timeout=EXIT_DEADLINE_S) == 0
    assert not sim.ready_file.exists(), "the ready file is removed on exit"


@pytest.mark.skipif(os.name == "nt", reason="SIGINT cannot be sent to a single process on Windows")
def test_sigint_exits_cleanly_with_status_0(start_own_simulator: StartSimulator) -> None:
    sim = start_own_simulator("--servers", "2")
    assert sim.proc is not None
    sim.proc.send_signal(signal.SIGINT)

    assert sim.proc.wait(EXIT_DEADLINE_S) == 0


def test_tls_files_are_reused_across_restarts(tmp_path: Path) -> None:
    first = SimulatorProcess(tmp_path, ["--servers", "1"])
    first.start()
    ca_before = (first.tls_dir / "ca.pem").read_bytes()
    cert_before = (first.tls_dir / "server.pem").read_bytes()
    first.stop()
    second = SimulatorProcess(tmp_path, ["--servers", "1"])
    second.start()
    try:
        with client_for(second) as client:
            status = client.get(f"{second.url}/healthcheck").status_code
    finally:
        second.stop()

    assert (second.tls_dir / "ca.pem").read_bytes() == ca_before
    assert (second.tls_dir / "server.pem").read_bytes() == cert_before
    assert status == 200


def test_expiring_certificates_are_renewed(tmp_path: Path) -> None:
    issued = ensure_certificates(tmp_path)
    ca, cert = issued.ca_file.read_bytes(), issued.cert_file.read_bytes()
    issued.cert_file.unlink()
    reissued = ensure_certificates(tmp_path)
    kept_ca, new_cert = reissued.ca_file.read_bytes(), reissued.cert_file.read_bytes()
    in_ten_years = datetime.now(UTC) + timedelta(days=3650)
    renewed = ensure_certificates(tmp_path, now=in_ten_years)

    assert kept_ca == ca, "a missing server certificate keeps the CA"
    assert new_cert != cert
    assert renewed.ca_file.read_bytes() != ca, "an expiring CA is replaced"
    renewed_cert = x509.load_pem_x509_certificate(renewed.cert_file.read_bytes())
    renewed_cert.verify_directly_issued_by(
        x509.load_pem_x509_certificate(renewed.ca_file.read_bytes())
    )
    names = renewed_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]


def test_insecure_http_serves_plain_http(start_simulator: StartSimulator) -> None:
    sim = start_simulator("--servers", "2", "--insecure-http")
    with httpx.Client(timeout=30) as client:
        health = client.get(f"{sim.url}/healthcheck", params={"debug": "True"})
    state = sim.state()

    assert sim.info.ca_file is None
    assert sim.url.startswith("http://127.0.0.1:")
    assert sim.info.control_url.startswith("http://127.0.0.1:")
    assert health.status_code == 200
    assert health.json()["status"] == "Healthy"
    assert len(state["servers"]) == 2


def test_endpoints_cap_opens_few_ports_for_many_servers(start_simulator: StartSimulator) -> None:
    sim = start_simulator(
        "--servers", "1000", "--clients", "20000", "--endpoints", "5", "--time-scale", "0"
    )
    with client_for(sim) as client:
        token = client.post(
            f"{sim.url}/api/v1/auth/token",
            json={"username": sim.info.username, "password": sim.info.password},
        ).json()["access_token"]
        last = sim.info.endpoints[-1].url
        servers = client.get(
            f"{last}/api/v1/cluster", headers={"Authorization": f"Bearer {token}"}
        ).json()["servers"]

    assert [e.server_id for e in sim.info.endpoints] == [f"as-{n:04d}" for n in range(1, 6)]
    assert len(servers) == 1000
    with_url = [s["id"] for s in servers if s["management_url"] is not None]
    assert with_url == [e.server_id for e in sim.info.endpoints]
    assert sum(s["clients"] for s in servers) == 20000


def test_base_port_puts_server_i_on_base_plus_i(tmp_path: Path) -> None:
    for attempt in range(5):
        base = 20000 + (os.getpid() * 7 + attempt * 131) % 9000
        if all(_port_is_free(base + i) for i in range(3)):
            break
    else:
        pytest.skip("no three consecutive free ports found between 20000 and 29000")
    sim = SimulatorProcess(tmp_path, ["--servers", "3", "--base-port", str(base)])
    # The helper always passes ``--base-port 0`` first; the later option wins.
    sim.start()
    try:
        ports = [port_of(e.url) for e in sim.info.endpoints]
    finally:
        sim.stop()

    assert ports == [base, base + 1, base + 2]


def test_port_in_use_fails_with_status_1_and_a_message(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_cli(
            "--servers", "1", "--base-port", str(port), "--tls-dir", str(tmp_path / "tls")
        )

    assert result.returncode == 1
    assert "Cannot start the simulator" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--servers", "0"], ["--time-scale", "-1"], ["--username", "viewer"], ["--log-size", "10"]],
)
def test_invalid_options_exit_with_status_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_options(args)

    assert exited.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_request_log_on_stderr_is_json_without_secrets(start_own_simulator: StartSimulator) -> None:
    sim = start_own_simulator("--servers", "2")
    with client_for(sim) as client:
        token = client.post(
            f"{sim.url}/api/v1/auth/token",
            json={"username": sim.info.username, "password": sim.info.password},
        ).json()["access_token"]
        client.get(f"{sim.url}/api/v1/cluster", headers={"Authorization": f"Bearer {token}"})
        client.get(f"{sim.url_of('as-02')}/healthcheck")
    sim.state()
    assert sim.stop(timeout=EXIT_DEADLINE_S) == 0

    stderr = sim.stderr_path.read_text(encoding="utf-8")
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    paths = [(r["endpoint"], r["method"], r["path"], r["status"]) for r in records]

    assert ("as-01", "POST", "/EkranSystem/api/v1/auth/token", 200) in paths
    assert ("as-01", "GET", "/EkranSystem/api/v1/cluster", 200) in paths
    assert ("as-02", "GET", "/EkranSystem/healthcheck", 200) in paths
    assert ("control", "GET", "/state", 200) in paths
    assert all(set(r) == LOG_KEYS for r in records)
    assert all(isinstance(r["duration_ms"], int | float) for r in records)
    assert token not in stderr
    assert sim.info.control_token not in stderr
    assert all(sim.info.password not in line for line in stderr.splitlines() if "{" in line)


def test_demo_settings_suit_a_person() -> None:
    demo = parse_options(["--demo"])
    explicit = parse_options(["--demo", "--base-port", "0", "--password", "other"])

    assert demo.base_port == DEMO_BASE_PORT
    assert demo.password == DEMO_PASSWORD
    assert demo.tls_dir is not None, "the CA survives restarts"
    assert (explicit.base_port, explicit.password) == (0, "other")


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
