"""Review findings for ClusterMonitor: state that must not survive stop() and start()."""

from __future__ import annotations

import asyncio

from app.monitor import ClusterMonitor
from tests.app.monitor.test_monitor_unit import ScriptedSource, make_snapshot, wait_for


async def test_a_retry_cut_short_by_stop_does_not_poll_twice_after_start() -> None:
    """retry_now() then stop() left _poll_now set: the next run polled twice at once."""
    source = ScriptedSource([make_snapshot({"as-01": "online"})])
    monitor = ClusterMonitor(source, poll_interval=60.0)
    monitor.start()
    await wait_for(lambda: source.calls == 1)
    await asyncio.sleep(0.01)  # now sleeping until the next poll, a minute away
    monitor.retry_now()
    await monitor.stop()  # before the retry had run
    calls = source.calls
    monitor.start()
    await wait_for(lambda: source.calls == calls + 1)
    await asyncio.sleep(0.1)
    assert source.calls == calls + 1  # one poll, then a minute's wait
    await monitor.stop()


async def test_a_shorter_interval_right_after_a_restart_waits_from_the_new_poll() -> None:
    source = ScriptedSource([make_snapshot({"as-01": "online"})])
    monitor = ClusterMonitor(source, poll_interval=60.0)
    monitor.start()
    await wait_for(lambda: source.calls == 1)
    await asyncio.sleep(0.01)
    await monitor.stop()  # cut short while sleeping: the old deadlines stay behind
    monitor.start()
    await wait_for(lambda: source.calls == 2)
    monitor.set_poll_interval(30.0)
    await asyncio.sleep(0.1)
    assert source.calls == 2
    await monitor.stop()
