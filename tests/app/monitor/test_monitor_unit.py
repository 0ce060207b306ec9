"""ClusterMonitor's own logic against a scripted source (no network).

The integration with the real client and simulator is in test_monitor_live.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest

from app.api.attempts import EndpointAttempt
from app.api.errors import (
    AuthenticationError,
    AuthErrorKind,
    ConsoleError,
    RateLimitedError,
    UnreachableError,
    UnreachableReason,
)
from app.api.models import ClusterInfo, ClusterSnapshot, HealthReport, HealthStatus, Server
from app.monitor import (
    ClusterMonitor,
    ConnectionState,
    HealthUpdated,
    MonitorEvent,
    SnapshotReceived,
    StatusChanged,
)
from app.monitor.backoff import Backoff

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make_snapshot(statuses: dict[str, str], *, changed: bool = True) -> ClusterSnapshot:
    servers = tuple(
        Server(
            id=sid,
            name=sid.upper(),
            address="10.0.0.1",
            status=status,  # type: ignore[arg-type]
            clients=3,
            last_seen=NOW,
            management_url=f"https://{sid}.test/EkranSystem",
        )
        for sid, status in statuses.items()
    )
    return ClusterSnapshot(
        cluster=ClusterInfo(name="c", generated_at=NOW),
        servers=servers,
        etag='"1"',
        received_at=NOW,
        source_url="https://a.test/EkranSystem",
        changed=changed,
    )


class ScriptedSource:
    """Answers cluster() from a script of snapshots or errors; the last entry repeats."""

    def __init__(self, script: list[ClusterSnapshot | ConsoleError]) -> None:
        self.script = script
        self.calls = 0
        self.health_calls: list[str | None] = []
        self.called = asyncio.Event()

    @property
    def active_url(self) -> str:
        return "https://a.test/EkranSystem"

    @property
    def last_attempts(self) -> tuple[EndpointAttempt, ...]:
        return ()

    async def cluster(self) -> ClusterSnapshot:
        item = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        self.called.set()
        if isinstance(item, ConsoleError):
            raise item
        return item

    async def health(self, url: str | None = None) -> HealthReport:
        self.health_calls.append(url)
        return HealthReport(url=url or "", http_status=200, status=HealthStatus.HEALTHY, ok=True)


def unreachable() -> UnreachableError:
    return UnreachableError("The endpoint is unreachable.", reason=UnreachableReason.REFUSED)


async def wait_for(predicate: Callable[[], bool], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def monitor_waiting_after_first_poll() -> tuple[ScriptedSource, ClusterMonitor]:
    """A started monitor (60 s interval) that has polled once and now sleeps until the
    next poll."""
    source = ScriptedSource([make_snapshot({"as-01": "online"})])
    monitor = ClusterMonitor(source, poll_interval=60.0)
    monitor.start()
    await wait_for(lambda: source.calls == 1)
    await asyncio.sleep(0.05)
    return source, monitor


def recorder(monitor: ClusterMonitor) -> list[MonitorEvent]:
    events: list[MonitorEvent] = []
    monitor.subscribe(events.append)
    return events


def fast_monitor(source: ScriptedSource, **kwargs: object) -> ClusterMonitor:
    return ClusterMonitor(
        source,
        poll_interval=0.01,
        backoff=Backoff(base=0.01, cap=0.02, rng=random.Random(1)),
        **kwargs,  # type: ignore[arg-type]
    )


async def first_health_update(monitor: ClusterMonitor) -> HealthUpdated:
    """Run ``monitor`` until its first ``HealthUpdated``, stop it, and return that event."""
    events = recorder(monitor)
    monitor.start()
    await wait_for(lambda: any(isinstance(e, HealthUpdated) for e in events))
    await monitor.stop()
    return next(e for e in events if isinstance(e, HealthUpdated))


async def test_publishes_snapshot_then_connected() -> None:
    source = ScriptedSource([make_snapshot({"as-01": "online"})])
    monitor = fast_monitor(source)
    events = recorder(monitor)
    monitor.start()
    await wait_for(lambda: monitor.status.state is ConnectionState.CONNECTED)
    await monitor.stop()
    snapshots = [e for e in events if isinstance(e, SnapshotReceived)]
    assert len(snapshots) == 1
    assert snapshots[0].snapshot.servers[0].id == "as-01"
    assert monitor.status.state is ConnectionState.IDLE
    assert monitor.status.last_success_at is not None


async def test_unchanged_reply_publishes_no_new_snapshot() -> None:
    first = make_snapshot({"as-01": "online"})
    source = ScriptedSource([first, make_snapshot({"as-01": "online"}, changed=False)])
    monitor = fast_monitor(source)
    events = recorder(monitor)
    monitor.start()
    await wait_for(lambda: source.calls >= 5)
    await monitor.stop()
    assert sum(isinstance(e, SnapshotReceived) for e in events) == 1


async def test_offline_server_makes_the_connection_degraded() -> None:
    source = ScriptedSource([make_snapshot({"as-01": "online", "as-02": "offline"})])
    monitor = fast_monitor(source)
    monitor.start()
    await wait_for(lambda: monitor.status.state is ConnectionState.DEGRADED)
    await monitor.stop()


async def test_failure_after_data_is_stale_with_retry_and_age() -> None:
    source = ScriptedSource([make_snapshot({"as-01": "online"}), unreachable()])
    monitor = fast_monitor(source)
    monitor.start()
    await wait_for(lambda: monitor.status.state is ConnectionState.STALE)
    status = monitor.status
    await monitor.stop()
    assert isinstance(status.error, UnreachableError)
    assert status.next_attempt_at is not None
    assert status.last_success_at is not None
    assert monitor.snapshot is not None  # the last data is kept
    line = status.describe(status.last_success_at)
    assert "Last update 0 s ago" in line
    assert "unreachable" in line
    assert "retrying in" in line


async def test_failure_without_data_is_unreachable_and_recovers() -> None:
    source = ScriptedSource([unreachable(), unreachable(), make_snapshot({"as-01": "online"})])
    monitor = fast_monitor(source)
    states = []
    monitor.subscribe(
        lambda e: states.append(e.status.state) if isinstance(e, StatusChanged) else None
    )
    monitor.start()
    await wait_for(lambda: monitor.status.state is ConnectionState.CONNECTED)
    await monitor.stop()
    assert states[:3] == [
        ConnectionState.CONNECTING,
        ConnectionState.UNREACHABLE,
        ConnectionState.UNREACHABLE,
    ]
    assert ConnectionState.CONNECTED in states


async def test_authentication_failure_pauses_until_retry() -> None:
    bad = AuthenticationError(
        "The user name or password is wrong.", kind=AuthErrorKind.BAD_CREDENTIALS
    )
    source = ScriptedSource([bad, make_snapshot({"as-01": "online"})])
    monitor = fast_monitor(source)
    monitor.start()
    await wait_for(lambda: monitor.status.state is ConnectionState.AUTH_FAILED)
    await asyncio.sleep(0.1)  # ten poll intervals: a paused monitor must not poll
    assert source.calls == 1
    assert monitor.status.next_attempt_at is None
    monitor.retry_now()
    await wait_for(lambda: monitor.status.state is ConnectionState.CONNECTED)
    await monitor.stop()
    assert source.calls >= 2


def test_backoff_grows_is_capped_jittered_and_honours_retry_after() -> None:
    backoff = Backoff(base=2.0, cap=60.0, jitter=0.5, rng=random.Random(7))
    delays = [backoff.delay(n) for n in range(1, 12)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(60.0, 2.0 * 2 ** (n - 1))
        assert ceiling * 0.5 <= delay <= ceiling
    assert len({round(d, 6) for d in delays}) == len(delays)  # jitter: no lockstep
    assert backoff.delay(1, retry_after=30.0) == 30.0


async def test_rate_limit_retry_after_sets_next_attempt() -> None:
    limited = RateLimitedError("Too many requests.", retry_after=30.0)
    source = ScriptedSource([make_snapshot({"as-01": "online"}), limited])
    monitor = fast_monitor(source, now=lambda: NOW)
    monitor.start()
    await wait_for(lambda: monitor.status.state is ConnectionState.STALE)
    status = monitor.status
    await monitor.stop()
    assert status.retry_in_seconds(NOW) == pytest.approx(30.0)


async def test_health_probes_each_server_with_bounded_concurrency() -> None:
    statuses = {f"as-{i:02d}": "online" for i in range(1, 21)}
    in_flight = 0
    peak = 0

    class SlowHealthSource(ScriptedSource):
        async def health(self, url: str | None = None) -> HealthReport:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return await super().health(url)

    source = SlowHealthSource([make_snapshot(statuses)])
    monitor = fast_monitor(source, health_concurrency=3, health_interval=60.0)
    update = await first_health_update(monitor)
    assert set(update.health) == set(statuses)
    assert sorted(source.health_calls) == sorted(
        f"https://{sid}.test/EkranSystem" for sid in statuses
    )
    assert peak == 3


async def test_stop_leaves_no_task_and_a_failing_listener_is_contained() -> None:
    source = ScriptedSource([make_snapshot({"as-01": "online"})])
    monitor = fast_monitor(source)

    def broken(_event: MonitorEvent) -> None:
        raise RuntimeError("listener bug")

    monitor.subscribe(broken)
    good = recorder(monitor)
    before = asyncio.all_tasks()
    monitor.start()
    await wait_for(lambda: source.calls >= 3)
    await monitor.stop()
    assert asyncio.all_tasks() == before
    assert not monitor.running
    assert any(isinstance(e, SnapshotReceived) for e in good)


async def test_stop_completes_even_when_the_polling_task_had_failed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = ScriptedSource([make_snapshot({"as-01": "online"})])
    monitor = fast_monitor(source)
    monitor.start()
    await wait_for(lambda: source.calls >= 1)
    task = monitor._task
    assert task is not None
    task.cancel()  # stand in for a task that died: replace its outcome with an error
    with contextlib.suppress(asyncio.CancelledError):
        await task

    async def died() -> None:
        raise RuntimeError("no running event loop")

    failed = asyncio.get_running_loop().create_task(died())
    await asyncio.sleep(0)  # let it fail
    monitor._task = failed
    await monitor.stop()
    assert monitor.status.state is ConnectionState.IDLE
    assert "had failed" in caplog.text


async def test_a_shorter_poll_interval_applies_to_the_poll_already_waiting() -> None:
    source, monitor = await monitor_waiting_after_first_poll()
    assert source.calls == 1  # the next poll is a minute away
    monitor.set_poll_interval(0.01)  # e.g. the connection came on screen
    await wait_for(lambda: source.calls >= 3, within=2.0)
    await monitor.stop()


async def test_a_longer_poll_interval_slows_polling_and_health_follows() -> None:
    source = ScriptedSource([make_snapshot({"as-01": "online"})])
    monitor = fast_monitor(source)
    monitor.start()
    await wait_for(lambda: source.calls >= 2)
    monitor.set_poll_interval(60.0)  # e.g. the connection went to the background
    await asyncio.sleep(0.05)  # at most the poll already due happens
    calls = source.calls
    await asyncio.sleep(0.1)
    assert source.calls == calls
    assert monitor.poll_interval == 60.0
    assert monitor.health_interval == 60.0  # every 10 polls, but at least once a minute
    monitor.retry_now()  # "Retry" still polls at once
    await wait_for(lambda: source.calls == calls + 1)
    await monitor.stop()
    with pytest.raises(ValueError, match="positive"):
        monitor.set_poll_interval(0)


async def test_a_status_change_ends_the_servers_health_and_it_is_probed_again() -> None:
    online = make_snapshot({"as-01": "online", "as-02": "online"})
    stopped = make_snapshot({"as-01": "offline", "as-02": "online"})
    source = ScriptedSource([online, online, online, stopped])
    monitor = fast_monitor(source, health_interval=3600.0)  # no second full round
    events = recorder(monitor)
    monitor.start()
    await wait_for(lambda: sum(isinstance(e, SnapshotReceived) for e in events) == 2)
    await wait_for(lambda: len([e for e in events if isinstance(e, HealthUpdated)]) >= 3)
    await monitor.stop()
    updates = [set(e.health) for e in events if isinstance(e, HealthUpdated)]
    # the full round, the change (as-01's result dropped), then as-01 alone probed again
    assert updates[:3] == [{"as-01", "as-02"}, {"as-02"}, {"as-01", "as-02"}]
    assert sorted(source.health_calls) == [
        "https://as-01.test/EkranSystem",
        "https://as-01.test/EkranSystem",
        "https://as-02.test/EkranSystem",
    ]


async def test_a_probe_that_began_before_a_status_change_is_not_kept() -> None:
    online = make_snapshot({"as-01": "online"})
    stopped = make_snapshot({"as-01": "offline"})
    release = asyncio.Event()

    class HeldHealthSource(ScriptedSource):
        async def health(self, url: str | None = None) -> HealthReport:
            self.health_calls.append(url)
            if len(self.health_calls) == 1:  # the probe of the running server, held
                await release.wait()
                return HealthReport(url="", http_status=200, status=HealthStatus.HEALTHY, ok=True)
            return HealthReport(url="", http_status=503, status=HealthStatus.UNHEALTHY, ok=False)

    source = HeldHealthSource([online, stopped])
    monitor = fast_monitor(source, health_interval=3600.0)
    events = recorder(monitor)
    monitor.start()
    await wait_for(lambda: sum(isinstance(e, SnapshotReceived) for e in events) == 2)
    release.set()
    await wait_for(lambda: len(source.health_calls) == 2)
    await wait_for(lambda: "as-01" in monitor.health)
    await monitor.stop()
    reports = [
        e.health["as-01"].report for e in events if isinstance(e, HealthUpdated) and e.health
    ]
    assert [r.status for r in reports if r is not None] == [HealthStatus.UNHEALTHY]


class RoundSource(ScriptedSource):
    """A source whose polls hold every server's health (as a health-only round does):
    ``round`` answers ``round_health``; None there means the poll did not cover them."""

    def __init__(
        self,
        script: list[ClusterSnapshot | ConsoleError],
        round_: dict[str, HealthReport | ConsoleError] | None,
    ) -> None:
        super().__init__(script)
        self.round = round_
        self.round_calls: list[list[str]] = []

    def round_health(self, urls: Sequence[str]) -> list[HealthReport | ConsoleError] | None:
        self.round_calls.append(list(urls))
        return None if self.round is None else [self.round[url] for url in urls]


async def test_health_from_the_round_takes_every_server_at_once_without_a_request() -> None:
    """A source with ``round_health``: the servers' health comes from the poll in one
    call (no per-server ``health`` request, no task per server), reports and errors
    alike, in the snapshot's servers."""
    url = "https://{}.test/EkranSystem".format
    healthy = HealthReport(url=url("as-01"), http_status=200, status=HealthStatus.HEALTHY, ok=True)
    down = UnreachableError("as-02 refused the connection.", reason=UnreachableReason.REFUSED)
    source = RoundSource(
        [make_snapshot({"as-01": "online", "as-02": "offline"})],
        {url("as-01"): healthy, url("as-02"): down},
    )
    monitor = fast_monitor(source, health_interval=60.0)
    update = await first_health_update(monitor)
    assert source.round_calls[0] == [url("as-01"), url("as-02")]
    assert source.health_calls == []
    assert update.health["as-01"].report == healthy
    assert update.health["as-01"].error is None
    assert update.health["as-02"].report is None
    assert update.health["as-02"].error == "as-02 refused the connection."


async def test_health_is_asked_per_server_when_the_round_does_not_cover_them() -> None:
    source = RoundSource([make_snapshot({"as-01": "online", "as-02": "online"})], None)
    monitor = fast_monitor(source, health_interval=60.0)
    update = await first_health_update(monitor)
    assert len(source.round_calls) == 1
    assert sorted(source.health_calls) == [
        "https://as-01.test/EkranSystem",
        "https://as-02.test/EkranSystem",
    ]
    assert set(update.health) == {"as-01", "as-02"}
