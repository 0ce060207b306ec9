"""Moving between a cluster's Management Tools when one is down, against a real simulator."""

from __future__ import annotations

import socket

import pytest
import trustme

from app.api.client import ManagementClient
from app.api.errors import ServerUnavailableError, TlsError, TlsErrorKind, UnreachableError
from tests.app.api.simclient import admin_password, requests_seen, sim_settings, stop_server_now
from tests.app.api.tls_servers import tls_server
from tests.helpers.simulator_process import SimulatorProcess


def closed_port_url() -> str:
    """A loopback URL where nothing listens (the port was just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"https://127.0.0.1:{port}/EkranSystem"


async def test_a_stopped_server_fails_over_to_the_next(simulator: SimulatorProcess) -> None:
    first, second = simulator.url_of("as-01"), simulator.url_of("as-02")
    password = admin_password(simulator)
    async with ManagementClient(sim_settings(simulator, urls=(first, second)), password) as client:
        await client.cluster()
        assert client.active_url == first
        stop_server_now(simulator, "as-01")
        snapshot = await client.cluster()
        assert client.active_url == second
        assert snapshot.source_url == second
        stopped = await client.health(first)
        await client.version("as-02")
    assert password.calls == 1, "the token is kept across failover"
    assert not stopped.ok
    assert stopped.http_status == 503
    assert stopped.status.value == "Unhealthy"
    assert [s.status.value for s in snapshot.servers if s.id == "as-01"] == ["offline"]
    later = [r for r in requests_seen(simulator, "as-01") if r["path"].endswith("/version")]
    assert later == [], "once moved, calls go to the endpoint in use"


async def test_a_closed_port_is_skipped(simulator: SimulatorProcess) -> None:
    dead = closed_port_url()
    settings = sim_settings(simulator, urls=(dead, simulator.url))
    async with ManagementClient(settings, admin_password(simulator)) as client:
        snapshot = await client.cluster()
        assert client.active_url == simulator.url
    assert snapshot.servers


async def test_when_every_endpoint_is_down_the_last_error_is_raised(
    simulator: SimulatorProcess,
) -> None:
    stop_server_now(simulator, "as-01")
    settings = sim_settings(simulator, urls=(closed_port_url(), simulator.url_of("as-01")))
    async with ManagementClient(settings, admin_password(simulator)) as client:
        with pytest.raises(ServerUnavailableError) as caught:
            await client.cluster()
        assert client.active_url == settings.urls[0]
    assert caught.value.status == 503
    assert "EKRAN-AS01" in caught.value.message


async def test_only_unreachable_endpoints(simulator: SimulatorProcess) -> None:
    settings = sim_settings(simulator, urls=(closed_port_url(), closed_port_url()))
    async with ManagementClient(settings, admin_password(simulator)) as client:
        with pytest.raises(UnreachableError):
            await client.health()
        with pytest.raises(UnreachableError):
            await client.login()


async def test_a_tls_failure_is_reported_not_failed_over(simulator: SimulatorProcess) -> None:
    stranger = trustme.CA().issue_cert("127.0.0.1")
    async with tls_server(stranger) as impostor:
        settings = sim_settings(simulator, urls=(impostor.url, simulator.url))
        async with ManagementClient(settings, admin_password(simulator)) as client:
            with pytest.raises(TlsError) as caught:
                await client.cluster()
            assert client.active_url == impostor.url
    assert caught.value.kind is TlsErrorKind.UNTRUSTED_ISSUER
    assert impostor.requests == [], "nothing, so no password, reached the untrusted endpoint"
    assert requests_seen(simulator) == []
