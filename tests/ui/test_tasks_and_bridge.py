"""TaskRunner and SessionBridge on the qasync loop, against the real simulator."""

from __future__ import annotations

import asyncio

import qasync

from app.monitor import ConnectionState
from app.session import ConnectionSession
from tests.helpers.profiles import simulator_password, simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import next_emission, wait_until
from ui.bridge import SessionBridge
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
