"""Isolation changes and live version checks against a real simulator."""

from __future__ import annotations

import pytest

from app.api.client import ManagementClient
from app.api.errors import ConflictError, NotFoundError, ServerUnavailableError
from app.api.models import ServerStatus
from tests.app.api.simclient import admin_password, sim_settings, stop_server_now
from tests.helpers.simulator_process import SimulatorProcess


async def test_isolate_and_return_to_service(simulator: SimulatorProcess) -> None:
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        isolated = await client.set_isolation("as-02", isolated=True, reason="Windows updates")
        again = await client.set_isolation("as-02", isolated=True, reason="other reason")
        health = await client.health(simulator.url_of("as-02"))
        returned = await client.set_isolation("as-02", isolated=False)
    assert isolated.status is ServerStatus.ISOLATED
    assert isolated.isolation is not None
    assert isolated.isolation.reason == "Windows updates"
    assert isolated.isolation.by == simulator.info.username
    assert again.isolation == isolated.isolation, "idempotent: the original reason is kept"
    assert health.ok
    assert health.isolated
    assert health.status.value == "Degraded"
    assert returned.status is ServerStatus.ONLINE
    assert returned.isolation is None


async def test_isolating_the_last_serving_server_needs_force(simulator: SimulatorProcess) -> None:
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        for server_id in ("as-01", "as-02", "as-03"):
            await client.set_isolation(server_id, isolated=True)
        with pytest.raises(ConflictError) as caught:
            await client.set_isolation("as-04", isolated=True)
        forced = await client.set_isolation("as-04", isolated=True, force=True)
    assert caught.value.server_detail
    assert "EKRAN-AS04" in caught.value.server_detail
    assert caught.value.message == caught.value.server_detail
    assert forced.status is ServerStatus.ISOLATED


async def test_an_offline_server_cannot_change_isolation(simulator: SimulatorProcess) -> None:
    stop_server_now(simulator, "as-03")
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        with pytest.raises(ConflictError) as caught:
            await client.set_isolation("as-03", isolated=True)
    assert caught.value.server_detail


async def test_unknown_server_isolation_is_not_found(simulator: SimulatorProcess) -> None:
    async with ManagementClient(sim_settings(simulator), admin_password(simulator)) as client:
        with pytest.raises(NotFoundError):
            await client.set_isolation("as-42", isolated=True)


async def test_version_of_an_offline_server_is_unavailable(simulator: SimulatorProcess) -> None:
    stop_server_now(simulator, "as-03")
    # The answer's Retry-After (5 s) is not waited out: that wait is test_client_faults' subject.
    async with ManagementClient(
        sim_settings(simulator), admin_password(simulator), max_retry_wait=0.0
    ) as client:
        with pytest.raises(ServerUnavailableError) as caught:
            await client.version("as-03")
        assert client.active_url == simulator.url, "the endpoint itself is fine: no failover"
    assert caught.value.status == 503
    assert "EKRAN-AS03" in caught.value.message
