"""The two failover rules against a real simulator: the monitor's, and one-shot commands'."""

from __future__ import annotations

import dataclasses

import pytest

from app.api.client import ManagementClient
from app.api.dispatch import PASSED_OVER_KEPT
from app.api.errors import ProtocolError, ServerUnavailableError
from app.api.settings import FailoverRule
from tests.app.api.simclient import admin_password, sim_settings
from tests.helpers.simulator_process import SimulatorProcess

CLUSTER = "/api/v1/cluster"


def settings_for(sim: SimulatorProcess, rule: FailoverRule, read_timeout: float = 15.0):  # type: ignore[no-untyped-def]
    urls = (sim.url_of("as-01"), sim.url_of("as-02"))
    return dataclasses.replace(
        sim_settings(sim, urls=urls, read_timeout=read_timeout), failover=rule
    )


async def test_a_5xx_moves_a_one_shot_call_to_the_next_url(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="fail", status=500, server_id="as-01", path=CLUSTER)
    settings = settings_for(simulator, FailoverRule.ANY_FAILURE)
    async with ManagementClient(settings, admin_password(simulator)) as client:
        snapshot = await client.cluster()
        assert snapshot.source_url == simulator.url_of("as-02")
        ((url, error),) = client.passed_over
    assert url == simulator.url_of("as-01")
    assert isinstance(error, ServerUnavailableError)


async def test_a_long_lived_client_keeps_only_the_newest_endpoints_passed_over(
    simulator: SimulatorProcess,
) -> None:
    for server_id in ("as-01", "as-02"):
        simulator.add_fault(kind="fail", status=500, server_id=server_id, path=CLUSTER, count=100)
    settings = settings_for(simulator, FailoverRule.ANY_FAILURE)
    calls = PASSED_OVER_KEPT  # each failed call passes over both URLs
    async with ManagementClient(settings, admin_password(simulator)) as client:
        for _ in range(calls):
            with pytest.raises(ServerUnavailableError):
                await client.cluster()
        kept = client.passed_over
    assert len(kept) == PASSED_OVER_KEPT < 2 * calls


async def test_the_monitor_rule_reports_a_5xx_from_a_healthy_endpoint(
    simulator: SimulatorProcess,
) -> None:
    simulator.add_fault(kind="fail", status=500, server_id="as-01", path=CLUSTER)
    settings = settings_for(simulator, FailoverRule.ENDPOINT_DOWN)
    async with ManagementClient(settings, admin_password(simulator)) as client:
        with pytest.raises(ServerUnavailableError):
            await client.cluster()
        assert client.passed_over == ()
        assert client.active_url == simulator.url_of("as-01")


async def test_a_refused_redirect_moves_a_one_shot_call_on(simulator: SimulatorProcess) -> None:
    elsewhere = "https://elsewhere.invalid/EkranSystem/api/v1/cluster"
    simulator.add_fault(kind="redirect", location=elsewhere, server_id="as-01", path=CLUSTER)
    settings = settings_for(simulator, FailoverRule.ANY_FAILURE)
    async with ManagementClient(settings, admin_password(simulator)) as client:
        snapshot = await client.cluster()
    assert snapshot.source_url == simulator.url_of("as-02")


async def test_the_monitor_rule_reports_a_refused_redirect(simulator: SimulatorProcess) -> None:
    elsewhere = "https://elsewhere.invalid/EkranSystem/api/v1/cluster"
    simulator.add_fault(kind="redirect", location=elsewhere, server_id="as-01", path=CLUSTER)
    settings = settings_for(simulator, FailoverRule.ENDPOINT_DOWN)
    async with ManagementClient(settings, admin_password(simulator)) as client:
        with pytest.raises(ProtocolError, match="redirect"):
            await client.cluster()


async def test_a_timeout_moves_a_one_shot_call_on(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="latency", seconds=30, server_id="as-01", path=CLUSTER, count=1)
    settings = settings_for(simulator, FailoverRule.ANY_FAILURE, read_timeout=1.0)
    async with ManagementClient(settings, admin_password(simulator)) as client:
        snapshot = await client.cluster()
    assert snapshot.source_url == simulator.url_of("as-02")
