"""Misbehaving endpoints, produced by the simulator's fault injection over real TLS."""

from __future__ import annotations

import pytest

from app.api.client import ManagementClient
from app.api.errors import (
    ProtocolError,
    RateLimitedError,
    ServerUnavailableError,
    UnreachableError,
    UnreachableReason,
)
from tests.app.api.simclient import admin_password, requests_seen, sim_settings
from tests.helpers.simulator_process import SimulatorProcess

CLUSTER = "/api/v1/cluster"


async def test_malformed_json_is_a_protocol_error(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="malformed_json", path=CLUSTER)
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.cluster()
        recovered = await client.cluster()
    assert caught.value.status == 200
    assert caught.value.excerpt
    assert caught.value.excerpt.startswith('{"cluster"')
    assert len(caught.value.excerpt) <= 200
    assert recovered.changed, "a refused reply leaves no snapshot behind"


@pytest.mark.parametrize("chunked", [False, True])
async def test_an_oversized_body_is_refused(simulator: SimulatorProcess, chunked: bool) -> None:
    simulator.add_fault(kind="oversized_body", bytes=50_000_000, chunked=chunked, path=CLUSTER)
    limit = 256 * 1024
    async with ManagementClient(
        sim_settings(simulator), admin_password(simulator), max_json_bytes=limit
    ) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.cluster()
    assert "larger than 256 KiB" in caught.value.message


async def test_a_redirect_to_another_origin_is_refused(simulator: SimulatorProcess) -> None:
    elsewhere = simulator.url_of("as-02") + CLUSTER
    simulator.add_fault(
        kind="redirect", location=elsewhere, status=307, server_id="as-01", path=CLUSTER
    )
    settings = sim_settings(simulator, urls=(simulator.url_of("as-01"),))
    async with ManagementClient(settings, admin_password(simulator)) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.cluster()
    assert "redirect" in caught.value.message
    assert caught.value.status == 307
    assert requests_seen(simulator, "as-02") == [], "nothing was sent to the other origin"
    first = requests_seen(simulator, "as-01")
    assert [r["status"] for r in first if r["path"].endswith(CLUSTER)] == [307]


async def test_a_same_origin_redirect_is_followed(simulator: SimulatorProcess) -> None:
    simulator.add_fault(
        kind="redirect", location=simulator.url + CLUSTER + "?moved=1", status=302, path=CLUSTER
    )
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        snapshot = await client.cluster()
    assert snapshot.servers
    statuses = [r["status"] for r in requests_seen(simulator) if r["path"].endswith(CLUSTER)]
    assert statuses == [302, 200]


async def test_a_short_retry_after_is_waited_out_once(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="fail", status=503, retry_after=1, count=1, path=CLUSTER)
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        snapshot = await client.cluster()
        assert client.active_url == simulator.url, "the endpoint is healthy: no failover"
    assert snapshot.servers
    statuses = [r["status"] for r in requests_seen(simulator) if r["path"].endswith(CLUSTER)]
    assert statuses == [503, 200]


async def test_a_long_retry_after_is_reported(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="fail", status=503, retry_after=120, count=1, path=CLUSTER)
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        with pytest.raises(ServerUnavailableError) as caught:
            await client.cluster()
    assert caught.value.retry_after == 120
    assert "2 minutes" in caught.value.message


async def test_repeated_503_is_not_retried_twice(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="fail", status=503, retry_after=1, count=3, path=CLUSTER)
    settings = sim_settings(simulator, urls=(simulator.url,))
    async with ManagementClient(settings, admin_password(simulator)) as client:
        with pytest.raises(ServerUnavailableError) as caught:
            await client.cluster()
    assert caught.value.retry_after == 1
    statuses = [r["status"] for r in requests_seen(simulator) if r["path"].endswith(CLUSTER)]
    assert statuses == [503, 503]


async def test_rate_limited_api_call(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="fail", status=429, retry_after=60, count=1, path="/version")
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.version("as-01")
    assert caught.value.retry_after == 60


async def test_a_slow_answer_times_out(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="latency", seconds=3, path="/healthcheck", count=1)
    settings = sim_settings(simulator, read_timeout=0.3)
    async with ManagementClient(settings, admin_password(simulator)) as client:
        with pytest.raises(UnreachableError) as caught:
            await client.health()
    assert caught.value.reason is UnreachableReason.TIMEOUT
    assert "did not answer in time" in caught.value.message
