"""A health-only connection opened like any other: ConnectionSession, its monitor and its
capabilities, and an API connection that finds a deployment without the API."""

from __future__ import annotations

import asyncio

import pytest

from app.api.client import ManagementClient
from app.api.errors import NotFoundError
from app.api.models import ServerStatus
from app.api.settings import TlsTrust, TrustMode
from app.connections import ConnectionProfile
from app.kinds.detect import health_only_deployment
from app.monitor import HealthUpdated, MonitorEvent, SnapshotReceived
from app.monitor.status import ConnectionState
from app.seam import Capability
from app.session import ConnectionSession
from tests.helpers.documented_simulator import health_profile
from tests.helpers.simulator_process import SimulatorProcess


async def _never_asked() -> str:
    raise AssertionError("a health-only connection never asks for a password")


async def test_the_monitor_publishes_servers_and_their_health(
    documented: SimulatorProcess, closed_url: str
) -> None:
    urls = (*(e.url for e in documented.info.endpoints), closed_url)
    profile = health_profile(documented, *urls, poll_interval_s=0.5)
    session = ConnectionSession(profile, _never_asked)
    events: list[MonitorEvent] = []
    health_seen = asyncio.Event()

    def listen(event: MonitorEvent) -> None:
        events.append(event)
        if isinstance(event, HealthUpdated):
            health_seen.set()

    session.monitor.subscribe(listen)
    documented.stop_server("as-03")
    session.start()
    try:
        await asyncio.wait_for(health_seen.wait(), 30)
    finally:
        await session.aclose()
    snapshot = next(e.snapshot for e in events if isinstance(e, SnapshotReceived))
    statuses = [s.status for s in snapshot.servers]
    assert statuses == [ServerStatus.ONLINE, ServerStatus.ONLINE, ServerStatus.OFFLINE,
                        ServerStatus.OFFLINE]  # fmt: skip
    health = next(e.health for e in events if isinstance(e, HealthUpdated))
    online = health[urls[0]].report
    assert online is not None
    assert online.ok
    assert online.body
    assert online.response_ms is not None
    stopped = health[urls[2]].report
    assert stopped is not None
    assert stopped.http_status == 503
    assert health[closed_url].report is None
    assert "refused" in (health[closed_url].error or "")
    assert session.monitor.status.state is ConnectionState.IDLE  # closed
    assert any(
        getattr(e, "status", None) is not None and e.status.state is ConnectionState.DEGRADED  # type: ignore[union-attr]
        for e in events
    )


def test_capabilities_of_each_kind() -> None:
    api = ConnectionProfile(name="API", urls=["mt01"], username="admin")
    health = ConnectionProfile(name="Health", kind="health_only", urls=["mt01", "mt02"])
    api_session = ConnectionSession(api, _never_asked)
    health_session = ConnectionSession(health, _never_asked)
    assert all(api_session.capabilities.has(c) for c in Capability)
    for capability in Capability:
        assert not health_session.capabilities.has(capability)
        assert health_session.capabilities.reason(capability)
    assert health_session.capabilities.load.axis == "Response time (ms)"
    assert api_session.capabilities.load.axis == "Clients"


async def test_an_api_connection_recognises_a_health_only_deployment(
    documented: SimulatorProcess,
) -> None:
    trust = TlsTrust(mode=TrustMode.CA_FILE, ca_file=documented.info.ca_file)
    profile = ConnectionProfile(
        name="API?",
        urls=[documented.url],
        username="admin",
        tls={"mode": "ca_file", "ca_file": str(trust.ca_file)},
    )
    session = ConnectionSession(profile, lambda: _password())
    try:
        with pytest.raises(NotFoundError) as raised:
            await session.client.cluster()
        found = await health_only_deployment(session.monitor_source, raised.value)
    finally:
        await session.aclose()
    assert found is not None
    assert (found.url, found.health_status) == (documented.url, 200)
    assert "no /api/v1" in found.explanation()


async def test_an_api_endpoint_is_not_taken_for_a_health_only_one(
    simulator: SimulatorProcess,
) -> None:
    """A real API that refuses something else (a wrong password) is not misread."""
    profile = ConnectionProfile(
        name="API",
        urls=[simulator.url],
        username="admin",
        tls={"mode": "ca_file", "ca_file": str(simulator.info.ca_file)},
    )
    async with ManagementClient(profile.endpoint_settings(), _password) as client:
        with pytest.raises(Exception) as raised:
            await client.login()
        assert await health_only_deployment(client, raised.value) is None


async def _password() -> str:
    return "not the password"
