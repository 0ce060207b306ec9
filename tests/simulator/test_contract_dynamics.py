"""Cluster dynamics seen through the API: an isolated server drains, a stopped one's Clients move.

Simulated time is frozen (``--time-scale 0``) and moved with the control API's
``/advance``, so every observation is reproducible. The population is not exactly
constant (Clients churn: some leave, new ones arrive), so "conserved" means staying
close to the configured count while the Clients of one server move to the others.
"""

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

CLIENTS = 400
DRAIN_S = 60
TOLERANCE = CLIENTS // 10


class Api:
    def __init__(self, client: httpx.Client, base: str, token: str) -> None:
        self.client = client
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}

    def clients(self) -> dict[str, int]:
        response = self.client.get(f"{self.base}/api/v1/cluster", headers=self.headers)
        response.raise_for_status()
        return {s["id"]: s["clients"] for s in response.json()["servers"]}

    def statuses(self) -> dict[str, str]:
        response = self.client.get(f"{self.base}/api/v1/cluster", headers=self.headers)
        return {s["id"]: s["status"] for s in response.json()["servers"]}

    def isolate(self, server_id: str) -> dict[str, Any]:
        response = self.client.post(
            f"{self.base}/api/v1/cluster/servers/{server_id}/isolation",
            headers=self.headers,
            json={"isolated": True, "reason": "maintenance"},
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@contextmanager
def session(sim: SimulatorProcess) -> Iterator[Api]:
    assert sim.info.ca_file is not None
    context = ssl.create_default_context(cafile=sim.info.ca_file)
    with httpx.Client(verify=context, timeout=30) as client:
        response = client.post(
            f"{sim.url}/api/v1/auth/token",
            json={"username": sim.info.username, "password": sim.info.password},
        )
        assert response.status_code == 200, response.text
        yield Api(client, sim.url, response.json()["access_token"])


@pytest.fixture
def sim(start_simulator: StartSimulator) -> SimulatorProcess:
    return start_simulator(
        "--servers",
        "4",
        "--clients",
        str(CLIENTS),
        "--seed",
        "11",
        "--time-scale",
        "0",
        "--drain-seconds",
        str(DRAIN_S),
    )


def test_isolated_server_drains_to_zero_while_the_others_take_its_clients(
    sim: SimulatorProcess,
) -> None:
    with session(sim) as api:
        start = api.clients()
        api.isolate("as-02")
        history = []
        for _ in range(DRAIN_S // 10 + 1):
            sim.control("POST", "advance", {"seconds": 10})
            history.append(api.clients())

    drained = [counts["as-02"] for counts in history]
    assert start["as-02"] > 0
    assert drained == sorted(drained, reverse=True), "an isolated server never gains Clients"
    assert 0 < drained[0] < start["as-02"], "the drain is gradual, not at once"
    assert drained[-1] == 0, "drained after --drain-seconds"
    for counts in history:
        assert abs(sum(counts.values()) - CLIENTS) <= TOLERANCE
    others_before = sum(n for server, n in start.items() if server != "as-02")
    others_after = sum(n for server, n in history[-1].items() if server != "as-02")
    assert others_after >= others_before + start["as-02"] - TOLERANCE


def test_stopped_servers_clients_reconnect_to_the_others(sim: SimulatorProcess) -> None:
    with session(sim) as api:
        start = api.clients()
        sim.stop_server("as-03")
        right_after = api.clients()
        state_right_after = sim.state()
        sim.control("POST", "advance", {"seconds": 30})
        later = api.clients()
        status = api.statuses()["as-03"]
        state_later = sim.state()

    assert start["as-03"] > 0
    assert right_after["as-03"] == 0, "a stopped server's Clients drop at once"
    assert state_right_after["pending"] >= start["as-03"] - TOLERANCE
    assert status == "offline"
    assert later["as-03"] == 0
    assert state_later["pending"] == 0, "every dropped Client has reconnected"
    assert abs(sum(later.values()) - CLIENTS) <= TOLERANCE
    others_before = sum(n for server, n in start.items() if server != "as-03")
    others_after = sum(n for server, n in later.items() if server != "as-03")
    assert others_after >= others_before + start["as-03"] - TOLERANCE
