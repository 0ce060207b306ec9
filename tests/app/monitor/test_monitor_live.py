"""ClusterMonitor with the real client against the simulator over TLS."""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Callable

import pytest

from app.api.client import ManagementClient
from app.api.settings import EndpointSettings, TlsTrust, TrustMode
from app.monitor import ClusterMonitor, ConnectionState, HealthUpdated, MonitorEvent
from app.monitor.backoff import Backoff
from tests.helpers.resources import open_sockets
from tests.helpers.simulator_process import SimulatorProcess


def client_for(sim: SimulatorProcess, urls: list[str]) -> ManagementClient:
    settings = EndpointSettings(
        urls=tuple(urls),
        username=sim.info.username,
        trust=TlsTrust(mode=TrustMode.CA_FILE, ca_file=sim.info.ca_file),
        connect_timeout=2.0,
        read_timeout=5.0,
    )
    password = sim.info.password

    async def source() -> str:
        return password

    return ManagementClient(settings, source)


async def until(predicate: Callable[[], bool], within: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def fast(client: ManagementClient, **kwargs: object) -> ClusterMonitor:
    return ClusterMonitor(
        client,
        poll_interval=0.2,
        backoff=Backoff(base=0.2, cap=0.5, rng=random.Random(3)),
        **kwargs,  # type: ignore[arg-type]
    )


async def test_fails_over_when_the_first_endpoint_stops(simulator: SimulatorProcess) -> None:
    first, second = simulator.info.endpoints[:2]
    async with client_for(simulator, [first.url, second.url]) as client:
        monitor = fast(client)
        monitor.start()
        await until(lambda: monitor.status.state is ConnectionState.CONNECTED)
        assert monitor.status.active_url == first.url
        await asyncio.to_thread(simulator.stop_server, first.server_id)
        await until(lambda: monitor.status.active_url == second.url)
        await until(
            lambda: (
                monitor.snapshot is not None
                and monitor.snapshot.server(first.server_id) is not None
                and monitor.snapshot.server(first.server_id).status.value  # type: ignore[union-attr]
                in ("stopping", "offline")
            )
        )
        assert monitor.status.error is None
        await monitor.stop()


async def test_goes_stale_while_down_and_recovers(simulator: SimulatorProcess) -> None:
    only = simulator.info.endpoints[0]
    async with client_for(simulator, [only.url]) as client:
        monitor = fast(client)
        monitor.start()
        await until(lambda: monitor.status.state is ConnectionState.CONNECTED)
        # Every server: with one running, the monitor would go on through its endpoint.
        for endpoint in simulator.info.endpoints:
            await asyncio.to_thread(simulator.stop_server, endpoint.server_id)
        await until(lambda: monitor.status.state is ConnectionState.STALE)
        stale = monitor.status
        assert stale.error is not None
        assert stale.next_attempt_at is not None
        assert monitor.snapshot is not None  # the last data stays visible
        await until(lambda: monitor.status.failures >= 3)
        await asyncio.to_thread(simulator.control, "POST", "advance", {"seconds": 30})
        for endpoint in simulator.info.endpoints:
            await asyncio.to_thread(simulator.start_server, endpoint.server_id)
        await asyncio.to_thread(simulator.control, "POST", "advance", {"seconds": 30})
        await until(lambda: monitor.status.error is None)
        assert monitor.status.failures == 0
        await monitor.stop()


async def test_probes_every_servers_own_healthcheck(simulator: SimulatorProcess) -> None:
    stopped = simulator.info.endpoints[3]
    await asyncio.to_thread(simulator.stop_server, stopped.server_id)
    await asyncio.to_thread(
        simulator.add_fault,
        kind="health",
        server_id=simulator.info.endpoints[2].server_id,
        status="Degraded",
    )
    events: list[MonitorEvent] = []
    async with client_for(simulator, [simulator.url]) as client:
        monitor = fast(client, health_interval=60.0)
        monitor.subscribe(events.append)
        monitor.start()
        await until(lambda: any(isinstance(e, HealthUpdated) for e in events))
        await monitor.stop()
    health = next(e for e in events if isinstance(e, HealthUpdated)).health
    assert set(health) == {e.server_id for e in simulator.info.endpoints}
    by_id = {sid: h.report for sid, h in health.items()}
    assert by_id[simulator.info.endpoints[0].server_id].ok  # type: ignore[union-attr]
    assert by_id[simulator.info.endpoints[2].server_id].status.value == "Degraded"  # type: ignore[union-attr]
    assert not by_id[stopped.server_id].ok  # type: ignore[union-attr]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts sockets in /proc")
async def test_start_and_stop_leave_no_task_or_socket_behind(
    shared_simulator: SimulatorProcess,
) -> None:
    tasks_before, sockets_before = asyncio.all_tasks(), open_sockets()
    async with client_for(shared_simulator, [shared_simulator.url]) as client:
        monitor = fast(client, health_interval=0.2)
        monitor.start()
        await until(lambda: monitor.status.state is ConnectionState.CONNECTED)
        await until(lambda: bool(monitor.health))  # the health probes opened connections too
        assert open_sockets() > sockets_before
        await monitor.stop()
    assert asyncio.all_tasks() == tasks_before
    assert open_sockets() == sockets_before
