"""Contract: ``POST /api/v1/cluster/servers/{id}/isolation`` — 200, idempotent, 400-409."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

# tests.helpers passes the CA path to httpx as ``verify=<str>``, deprecated in httpx 0.28.
pytestmark = pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")


class Api:
    """A logged-in HTTPS session against one endpoint of a simulator."""

    def __init__(self, client: httpx.Client, base: str, token: str) -> None:
        self.client = client
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}

    def isolation(self, server_id: str, body: Any) -> httpx.Response:
        return self.client.post(
            f"{self.base}/api/v1/cluster/servers/{server_id}/isolation",
            headers=self.headers,
            json=body,
        )

    def server(self, server_id: str) -> dict[str, Any]:
        servers = self.client.get(f"{self.base}/api/v1/cluster", headers=self.headers).json()
        return next(s for s in servers["servers"] if s["id"] == server_id)


@contextmanager
def session(sim: SimulatorProcess, *, viewer: bool = False) -> Iterator[Api]:
    assert sim.info.ca_file is not None
    raw = sim.info.raw
    username = raw["viewer_username"] if viewer else sim.info.username
    password = raw["viewer_password"] if viewer else sim.info.password
    context = ssl.create_default_context(cafile=sim.info.ca_file)
    with httpx.Client(verify=context, timeout=30) as client:
        response = client.post(
            f"{sim.url}/api/v1/auth/token", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        yield Api(client, sim.url, response.json()["access_token"])


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.fixture
def frozen(start_simulator: StartSimulator) -> SimulatorProcess:
    """Three servers, clock frozen so only the test's actions change the cluster."""
    return start_simulator("--servers", "3", "--clients", "90", "--time-scale", "0")


def test_isolating_returns_the_server_after_the_change(frozen: SimulatorProcess) -> None:
    with session(frozen) as api:
        response = api.isolation("as-02", {"isolated": True, "reason": "Windows updates"})
        listed = api.server("as-02")

    assert response.status_code == 200
    server = response.json()
    assert server["id"] == "as-02"
    assert server["status"] == "isolated"
    assert server["isolation"]["by"] == frozen.info.username
    assert server["isolation"]["reason"] == "Windows updates"
    assert server["isolation"]["since"].endswith("Z")
    assert server["management_url"] == frozen.url_of("as-02")
    assert listed == server, "the snapshot shows the same Server"


def test_isolation_is_idempotent_and_keeps_the_first_record(frozen: SimulatorProcess) -> None:
    with session(frozen) as api:
        first = api.isolation("as-02", {"isolated": True, "reason": "first"}).json()
        again = api.isolation("as-02", {"isolated": True, "reason": "second", "force": True})
        returned = api.isolation("as-02", {"isolated": False})
        returned_again = api.isolation("as-02", {"isolated": False, "reason": None})

    assert again.status_code == 200
    assert again.json()["isolation"] == first["isolation"]
    assert returned.status_code == returned_again.status_code == 200
    assert returned.json()["status"] == returned_again.json()["status"] == "online"
    assert returned.json()["isolation"] is None


def test_unknown_server_is_404(shared_simulator: SimulatorProcess) -> None:
    with session(shared_simulator) as api:
        response = api.isolation("as-77", {"isolated": False})

    assert "as-77" in assert_problem(response, 404)["detail"]


def test_viewer_may_not_change_isolation(shared_simulator: SimulatorProcess) -> None:
    with session(shared_simulator, viewer=True) as api:
        response = api.isolation("as-02", {"isolated": True, "reason": None})
        unchanged = api.server("as-02")

    assert_problem(response, 403)
    assert unchanged["isolation"] is None


def test_isolation_needs_a_token(shared_simulator: SimulatorProcess) -> None:
    with session(shared_simulator) as api:
        response = api.client.post(
            f"{api.base}/api/v1/cluster/servers/as-02/isolation", json={"isolated": True}
        )

    assert_problem(response, 401)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"isolated": "yes"},
        {"isolated": True, "reason": 5},
        {"isolated": True, "force": "no"},
        ["isolated"],
    ],
)
def test_malformed_request_is_400(shared_simulator: SimulatorProcess, body: Any) -> None:
    with session(shared_simulator) as api:
        response = api.isolation("as-02", body)

    assert_problem(response, 400)


def test_offline_server_cannot_change_isolation(frozen: SimulatorProcess) -> None:
    frozen.stop_server("as-03")
    frozen.control("POST", "advance", {"seconds": 10})
    with session(frozen) as api:
        isolate = api.isolation("as-03", {"isolated": True, "reason": None})
        return_it = api.isolation("as-03", {"isolated": False})
        status = api.server("as-03")["status"]

    assert status == "offline"
    assert_problem(isolate, 409)
    assert_problem(return_it, 409)


def test_stopping_server_cannot_change_isolation(frozen: SimulatorProcess) -> None:
    stopping = frozen.stop_server("as-03")
    with session(frozen) as api:
        response = api.isolation("as-03", {"isolated": True, "reason": None})

    assert stopping["process"] == "stopping"
    assert_problem(response, 409)


def test_last_serving_server_is_isolated_only_with_force(frozen: SimulatorProcess) -> None:
    with session(frozen) as api:
        api.isolation("as-01", {"isolated": True, "reason": None}).raise_for_status()
        api.isolation("as-02", {"isolated": True, "reason": None}).raise_for_status()
        refused = api.isolation("as-03", {"isolated": True, "reason": "last one"})
        still_online = api.server("as-03")["status"]
        forced = api.isolation("as-03", {"isolated": True, "reason": "last one", "force": True})
        returned = api.isolation("as-01", {"isolated": False})

    assert "force" in assert_problem(refused, 409)["detail"].lower()
    assert still_online == "online"
    assert forced.status_code == 200
    assert forced.json()["status"] == "isolated"
    assert returned.status_code == 200, "returning to service is never refused"
