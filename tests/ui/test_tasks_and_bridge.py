"""TaskRunner and SessionBridge on the qasync loop, against the real simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

import qasync

from app.monitor import ClusterMonitor, ConnectionState, MonitorEvent, MonitorStatus, StatusChanged
from app.session import ConnectionSession
from tests.helpers.profiles import simulator_password, simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import next_emission, wait_until
from ui.bridge import SessionBridge, subscribe_deferred
from ui.tasks import TaskRunner


async def test_tests_run_on_the_qasync_loop() -> None:
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)


async def test_runner_reports_results_errors_and_cancels_on_shutdown() -> None:
    runner = TaskRunner()
    results: list[int] = []

    async def answer() -> int:
        return 42

    async def broken() -> None:
        raise ValueError("boom")

    async def forever() -> None:
        await asyncio.sleep(3600)

    runner.start(answer(), name="answer", on_done=results.append)
    failure = asyncio.ensure_future(next_emission(runner.failed))
    runner.start(broken(), name="broken")
    name, error = await failure
    assert name == "broken"
    assert isinstance(error, ValueError)
    assert results == [42]
    slow = runner.start(forever(), name="forever")
    assert runner.pending == 1
    await runner.shutdown()
    assert slow is not None
    assert slow.cancelled()
    assert runner.pending == 0
    late = forever()
    assert runner.start(late, name="late") is None  # refused after shutdown, and closed


def test_runner_started_without_a_running_loop_refuses_and_closes() -> None:
    """A timer's slot can fire as Qt processes its last events after the loop stopped."""
    runner = TaskRunner()

    async def work() -> None:
        raise AssertionError("never runs")

    coro = work()
    assert runner.start(coro, name="late timer") is None
    assert coro.cr_frame is None, "closed: no 'never awaited' warning"
    assert runner.pending == 0


async def test_bridge_emits_snapshots_and_status(shared_simulator: SimulatorProcess) -> None:
    profile = simulator_profile(shared_simulator, urls=[shared_simulator.url])
    source = simulator_password(shared_simulator)
    session = ConnectionSession(profile, source)
    bridge = SessionBridge(session)
    states: list[ConnectionState] = []
    bridge.status_changed.connect(lambda status: states.append(status.state))
    received = asyncio.ensure_future(next_emission(bridge.snapshot_received))
    session.start()
    (snapshot,) = await received
    assert len(snapshot.servers) == 4  # type: ignore[attr-defined]
    await wait_until(lambda: ConnectionState.CONNECTED in states)
    bridge.detach()
    await session.aclose()
    assert not session.monitor.running


class _Publisher:
    """What ``subscribe_deferred`` needs of a monitor: subscribe, and events to publish."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[MonitorEvent], None]] = []

    def subscribe(self, listener: Callable[[MonitorEvent], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def publish(self, event: MonitorEvent) -> None:
        for listener in list(self.listeners):
            listener(event)


async def test_deferred_listeners_run_one_per_loop_callback_in_order() -> None:
    publisher = _Publisher()
    monitor = cast(ClusterMonitor, publisher)
    order: list[str] = []
    loop = asyncio.get_running_loop()

    def listener(name: str) -> Callable[[MonitorEvent], None]:
        def on_event(event: MonitorEvent) -> None:
            assert isinstance(event, StatusChanged)
            order.append(f"{name}{event.status.failures}")
            if name == "a":  # work the loop queues meanwhile runs before the next listener
                loop.call_soon(order.append, f"between{event.status.failures}")

        return on_event

    detach = [subscribe_deferred(monitor, listener(name)) for name in "abc"]
    publisher.publish(StatusChanged(MonitorStatus(ConnectionState.CONNECTED, failures=1)))
    publisher.publish(StatusChanged(MonitorStatus(ConnectionState.CONNECTED, failures=2)))
    assert order == []
    for _ in range(20):
        await asyncio.sleep(0)
    assert order == ["a1", "between1", "b1", "c1", "a2", "between2", "b2", "c2"]
    detach[1]()
    publisher.publish(StatusChanged(MonitorStatus(ConnectionState.CONNECTED, failures=3)))
    for _ in range(20):
        await asyncio.sleep(0)
    assert order[8:] == ["a3", "between3", "c3"]
