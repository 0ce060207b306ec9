"""Contract: ``GET /healthcheck`` — 200 Healthy/Degraded, 503 when stopped or Unhealthy.

Clients tolerating an empty or plain-text body is a client-side rule, tested with the
console's API client, not here.
"""

from __future__ import annotations

import re
import ssl

import httpx
import pytest

from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

# tests.helpers passes the CA path to httpx as ``verify=<str>``, deprecated in httpx 0.28.
pytestmark = pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")

DURATION = re.compile(r"\d\d:\d\d:\d\d\.\d{4}")


def client_for(sim: SimulatorProcess) -> httpx.Client:
    """An HTTPS client that trusts only the simulator's CA."""
    assert sim.info.ca_file is not None
    return httpx.Client(verify=ssl.create_default_context(cafile=sim.info.ca_file), timeout=30)


def health(client: httpx.Client, base: str) -> httpx.Response:
    return client.get(f"{base}/healthcheck", params={"debug": "True"})


def assert_report_shape(body: dict[str, object]) -> dict[str, dict[str, str]]:
    assert isinstance(body["totalDuration"], str)
    assert DURATION.fullmatch(body["totalDuration"])
    entries = body["entries"]
    assert isinstance(entries, dict)
    for entry in entries.values():
        assert entry["status"] in ("Healthy", "Degraded", "Unhealthy")
        assert isinstance(entry["description"], str)
        assert entry["description"]
        assert DURATION.fullmatch(entry["duration"])
    return entries


def test_running_server_is_healthy(shared_simulator: SimulatorProcess) -> None:
    with client_for(shared_simulator) as client:
        response = health(client, shared_simulator.url)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "Healthy"
    entries = assert_report_shape(body)
    assert {"database", "applicationServer", "licensing"} <= entries.keys()
    assert "isolation" not in entries
    assert all(entry["status"] == "Healthy" for entry in entries.values())


def test_without_debug_the_body_is_the_status_word(shared_simulator: SimulatorProcess) -> None:
    with client_for(shared_simulator) as client:
        response = client.get(f"{shared_simulator.url}/healthcheck")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Healthy"


def test_healthcheck_needs_no_authentication_on_any_endpoint(
    shared_simulator: SimulatorProcess,
) -> None:
    with client_for(shared_simulator) as client:
        statuses = [health(client, e.url).status_code for e in shared_simulator.info.endpoints]

    assert statuses == [200] * len(shared_simulator.info.endpoints)


def test_isolated_server_answers_200_degraded_with_an_isolation_entry(
    simulator: SimulatorProcess,
) -> None:
    with client_for(simulator) as client:
        token = client.post(
            f"{simulator.url}/api/v1/auth/token",
            json={"username": simulator.info.username, "password": simulator.info.password},
        ).json()["access_token"]
        client.post(
            f"{simulator.url}/api/v1/cluster/servers/as-02/isolation",
            headers={"Authorization": f"Bearer {token}"},
            json={"isolated": True, "reason": "Windows updates KB5034441"},
        ).raise_for_status()
        isolated = health(client, simulator.url_of("as-02"))
        other = health(client, simulator.url_of("as-01"))

    assert isolated.status_code == 200
    body = isolated.json()
    assert body["status"] == "Degraded"
    entries = assert_report_shape(body)
    assert entries["isolation"]["status"] == "Degraded"
    assert "Windows updates KB5034441" in entries["isolation"]["description"]
    assert simulator.info.username in entries["isolation"]["description"]
    assert other.json()["status"] == "Healthy"


def test_stopped_server_answers_503_until_it_runs_again(simulator: SimulatorProcess) -> None:
    simulator.stop_server("as-03")
    with client_for(simulator) as client:
        stopped = health(client, simulator.url_of("as-03"))
        plain = client.get(f"{simulator.url_of('as-03')}/healthcheck")
        others = [health(client, simulator.url_of(i)).status_code for i in ("as-01", "as-02")]
        simulator.control("POST", "advance", {"seconds": 5})
        simulator.start_server("as-03")
        simulator.control("POST", "advance", {"seconds": 10})
        started = health(client, simulator.url_of("as-03"))

    assert stopped.status_code == 503
    assert stopped.headers["content-type"].startswith("application/problem+json")
    assert stopped.json()["status"] == 503
    assert "EKRAN-AS03" in stopped.json()["detail"]
    assert plain.status_code == 503
    assert others == [200, 200]
    assert started.status_code == 200
    assert started.json()["status"] == "Healthy"


def test_starting_server_answers_503(start_simulator: StartSimulator) -> None:
    sim = start_simulator("--time-scale", "0")
    sim.stop_server("as-01")
    sim.control("POST", "advance", {"seconds": 5})
    starting = sim.start_server("as-01")
    with client_for(sim) as client:
        response = health(client, sim.url)

    assert starting["process"] == "starting"
    assert response.status_code == 503


def test_unhealthy_server_answers_503_with_the_same_json_shape(
    simulator: SimulatorProcess,
) -> None:
    simulator.add_fault(kind="health", server_id="as-01", status="Unhealthy")
    with client_for(simulator) as client:
        unhealthy = health(client, simulator.url)
        simulator.clear_faults()
        recovered = health(client, simulator.url)

    assert unhealthy.status_code == 503
    assert unhealthy.headers["content-type"].startswith("application/json")
    body = unhealthy.json()
    assert body["status"] == "Unhealthy"
    entries = assert_report_shape(body)
    assert "Unhealthy" in {entry["status"] for entry in entries.values()}
    assert recovered.status_code == 200
    assert recovered.json()["status"] == "Healthy"
