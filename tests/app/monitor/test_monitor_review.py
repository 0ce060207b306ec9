"""Review findings for ClusterMonitor: stop() right after a wake-up, and state that must
not survive stop() and start()."""

from __future__ import annotations

import asyncio

from app.monitor import ClusterMonitor
from tests.app.monitor.test_monitor_unit import monitor_waiting_after_first_poll, wait_for


async def stop_within(monitor: ClusterMonitor, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):  # a failure, not a hung test session
        await monitor.stop()


async def test_stop_right_after_retry_now_ends_the_task() -> None:
    """asyncio.wait_for on Python 3.11 swallowed stop()'s cancellation when the event it
    waited for was set in the same loop iteration: the task polled on, stop() hung."""
    source, monitor = await monitor_waiting_after_first_poll()
    task = monitor._task
    assert task is not None
    monitor.retry_now()
    await stop_within(monitor)
    assert task.cancelled()
    assert source.calls == 1


async def test_stop_right_after_set_poll_interval_ends_the_task() -> None:
    source, monitor = await monitor_waiting_after_first_poll()
    monitor.set_poll_interval(30.0)  # e.g. the connection goes off screen and is closed
    await stop_within(monitor)
    assert source.calls == 1


async def test_a_retry_cut_short_by_stop_does_not_poll_twice_after_start() -> None:
    """retry_now() then stop() left _poll_now set: the next run polled twice at once."""
    source, monitor = await monitor_waiting_after_first_poll()
    monitor.retry_now()
    await stop_within(monitor)  # before the retry had run
    calls = source.calls
    monitor.start()
    await wait_for(lambda: source.calls == calls + 1)
    await asyncio.sleep(0.1)
    assert source.calls == calls + 1  # one poll, then a minute's wait
    await stop_within(monitor)


async def test_a_shorter_interval_right_after_a_restart_waits_from_the_new_poll() -> None:
    source, monitor = await monitor_waiting_after_first_poll()
    await stop_within(monitor)  # cut short while sleeping: the old deadlines stay behind
    monitor.start()
    await wait_for(lambda: source.calls == 2)
    monitor.set_poll_interval(30.0)
    await asyncio.sleep(0.1)
    assert source.calls == 2
    await stop_within(monitor)
