"""ClusterMonitor: one asyncio task per connection that polls the cluster."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Protocol, runtime_checkable

from app.api.attempts import EndpointAttempt
from app.api.errors import (
    AuthenticationError,
    ConsoleError,
    RateLimitedError,
    ServerUnavailableError,
    TlsError,
)
from app.api.models import ClusterSnapshot, HealthReport, HealthStatus, ServerStatus
from app.monitor.backoff import Backoff
from app.monitor.events import HealthUpdated, MonitorEvent, SnapshotReceived, StatusChanged
from app.monitor.status import ConnectionState, MonitorStatus, ServerHealth

_ID = attrgetter("id")
_STATUS = attrgetter("status")
_DEGRADING = frozenset({ServerStatus.OFFLINE, ServerStatus.UNKNOWN})

log = logging.getLogger(__name__)

Listener = Callable[[MonitorEvent], None]


class ClusterSource(Protocol):
    """What the monitor needs from a Management Tool client."""

    @property
    def active_url(self) -> str: ...

    @property
    def last_attempts(self) -> tuple[EndpointAttempt, ...]:
        """Every endpoint the last call tried, each with its own result."""
        ...

    async def cluster(self) -> ClusterSnapshot: ...

    async def health(self, url: str | None = None) -> HealthReport: ...


@runtime_checkable
class RoundHealthSource(Protocol):
    """A source whose polls already hold every server's health (a health-only round):
    the monitor takes all of it at once instead of asking server by server."""

    def round_health(self, urls: Sequence[str]) -> list[HealthReport | ConsoleError] | None:
        """Each URL's health from the last poll (its report, or the typed error of why
        there is none), in the order of ``urls``; None when the poll did not cover them
        all (the monitor then asks per server)."""
        ...


def _health_interval_for(poll_interval: float) -> float:
    """Each server's own healthcheck: every 10 polls, but at least every 60 s (so that the
    probes' connections are reused: the pool keeps idle ones 75 s) and at most every 30 s."""
    return min(max(30.0, 10 * poll_interval), 60.0)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ClusterMonitor:
    """Polls a cluster every ``poll_interval`` seconds and publishes events.

    Every ``health_interval`` seconds it also probes each server's own healthcheck
    (``Server.management_url``), at most ``health_concurrency`` at a time. While polls
    fail it backs off with jitter (the client fails over between the connection's URLs);
    on an authentication or TLS failure it pauses until ``retry_now()``.

    Subscribers are plain callables run on the monitor's loop; an exception in one is
    logged and does not stop the others. ``stop()`` cancels and awaits every task the
    monitor started; it does not close the client, which belongs to its owner.
    """

    def __init__(
        self,
        source: ClusterSource,
        *,
        poll_interval: float = 2.0,
        health_interval: float | None = None,
        health_concurrency: int = 8,
        backoff: Backoff | None = None,
        now: Callable[[], datetime] = _utcnow,
        rng: random.Random | None = None,
    ) -> None:
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        self._source = source
        self._poll_interval = poll_interval
        self._health_interval_given = health_interval
        self._health_interval = health_interval or _health_interval_for(poll_interval)
        self._health_limit = asyncio.Semaphore(max(1, health_concurrency))
        self._backoff = backoff or Backoff(base=max(1.0, poll_interval), rng=rng or random.Random())
        self._now = now
        self._listeners: list[Listener] = []
        self._status = MonitorStatus(ConnectionState.IDLE)
        self._snapshot: ClusterSnapshot | None = None
        self._health: dict[str, ServerHealth] = {}
        self._task: asyncio.Task[None] | None = None
        self._health_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._poll_now = False
        self._last_poll_at: float | None = None  # loop time of the last regular poll
        self._next_poll_at: float | None = None  # loop time of the next regular poll
        self._last_health_round: datetime | None = None
        # A health result describes the server as it was when probed: a status change
        # ends it. ``_status_changes`` counts each server's changes; a probe that began
        # before one is dropped, and the changed servers are probed again soon.
        self._status_changes: dict[str, int] = {}
        self._recheck: set[str] = set()
        self._round_health = source if isinstance(source, RoundHealthSource) else None

    # -- public API -------------------------------------------------------------------
    @property
    def status(self) -> MonitorStatus:
        return self._status

    @property
    def snapshot(self) -> ClusterSnapshot | None:
        """The latest cluster data, possibly stale (see ``status``)."""
        return self._snapshot

    @property
    def health(self) -> Mapping[str, ServerHealth]:
        return dict(self._health)

    @property
    def poll_interval(self) -> float:
        return self._poll_interval

    @property
    def health_interval(self) -> float:
        """Seconds between rounds of per-server healthcheck probes."""
        return self._health_interval

    def set_poll_interval(self, seconds: float) -> None:
        """Poll every ``seconds`` from now on; the health-probe cadence follows unless it
        was given. A shorter interval applies to the poll already waiting (it comes
        ``seconds`` after the last one, or at once); backoff after failures is kept."""
        if seconds <= 0:
            raise ValueError("poll_interval must be positive")
        if seconds == self._poll_interval:
            return
        self._poll_interval = seconds
        if self._health_interval_given is None:
            self._health_interval = _health_interval_for(seconds)
        if self._next_poll_at is not None and self._last_poll_at is not None:
            self._next_poll_at = min(self._next_poll_at, self._last_poll_at + seconds)
            self._wake.set()  # the waiting loop recomputes its deadline

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def start(self) -> None:
        """Start polling on the running loop; a second call does nothing."""
        if self.running:
            return
        self._wake = asyncio.Event()
        # a retry_now() or a sleep cut short by stop() must not carry over to this run
        self._poll_now = False
        self._last_poll_at = self._next_poll_at = None
        self._set_status(MonitorStatus(ConnectionState.CONNECTING, self._source.active_url))
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"ClusterMonitor({self._source.active_url})"
        )

    def retry_now(self) -> None:
        """Poll at once (also resumes after an authentication or TLS failure)."""
        if not self.running:
            self.start()
            return
        self._poll_now = True
        self._wake.set()

    async def stop(self) -> None:
        """Cancel polling and probing and wait until both have ended.

        It always completes: a task that had already failed is logged, not re-raised, so
        that closing a connection never stops half-way.
        """
        tasks = [t for t in (self._task, self._health_task) if t is not None]
        self._task = self._health_task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("monitor task %s had failed", task.get_name())
        if self._status.state is not ConnectionState.IDLE:
            self._set_status(
                MonitorStatus(
                    ConnectionState.IDLE,
                    self._status.active_url,
                    last_success_at=self._status.last_success_at,
                )
            )

    # -- polling ------------------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            delay = await self._poll_once()
            if delay is None:  # paused until retry_now()
                await self._wake.wait()
            else:
                regular = delay == self._poll_interval
                self._last_poll_at = loop.time() if regular else None
                self._next_poll_at = loop.time() + delay if regular else None
                await self._sleep_until(loop.time() + delay)
            self._wake.clear()
            self._poll_now = False
            self._last_poll_at = self._next_poll_at = None

    async def _sleep_until(self, deadline: float) -> None:
        """Wait for ``deadline`` (moved by ``set_poll_interval``) or ``retry_now()``."""
        loop = asyncio.get_running_loop()
        while not self._poll_now:
            if self._next_poll_at is not None:
                deadline = self._next_poll_at
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                # asyncio.timeout, not wait_for: wait_for on Python 3.11 can swallow a
                # cancellation that arrives as the event is set, and stop() would hang
                async with asyncio.timeout(remaining):
                    await self._wake.wait()

    async def _poll_once(self) -> float | None:
        """Poll once; return the delay before the next poll, or None to pause."""
        try:
            snapshot = await self._source.cluster()
        except ConsoleError as error:
            return self._on_poll_failed(error)
        except Exception as error:  # a bug must not kill monitoring silently
            log.exception("unexpected error while polling %s", self._source.active_url)
            return self._on_poll_failed(ConsoleError("Unexpected error.", detail=repr(error)))
        self._on_poll_succeeded(snapshot)
        return self._poll_interval

    def _on_poll_succeeded(self, snapshot: ClusterSnapshot) -> None:
        now = self._now()
        if snapshot.changed or self._snapshot is None:
            previous, self._snapshot = self._snapshot, snapshot
            self._publish(SnapshotReceived(snapshot))
            self._forget_outdated_health(previous, snapshot)
        state = ConnectionState.DEGRADED if self._is_degraded() else ConnectionState.CONNECTED
        self._set_status(
            MonitorStatus(
                state,
                self._source.active_url,
                last_success_at=now,
                next_attempt_at=now + timedelta(seconds=self._poll_interval),
                attempts=self._source.last_attempts,
            )
        )
        self._maybe_probe_health(now)

    def _on_poll_failed(self, error: ConsoleError) -> float | None:
        now = self._now()
        failures = self._status.failures + 1
        log.warning("poll of %s failed: %s | %s", error.url, error.message, error.detail)
        if isinstance(error, AuthenticationError | TlsError):
            state = (
                ConnectionState.AUTH_FAILED
                if isinstance(error, AuthenticationError)
                else ConnectionState.TLS_PROBLEM
            )
            delay: float | None = None
        else:
            state = ConnectionState.STALE if self._snapshot else ConnectionState.UNREACHABLE
            retry_after = (
                error.retry_after
                if isinstance(error, RateLimitedError | ServerUnavailableError)
                else None
            )
            delay = self._backoff.delay(failures, retry_after)
        self._set_status(
            MonitorStatus(
                state,
                self._source.active_url,
                last_success_at=self._status.last_success_at,
                next_attempt_at=None if delay is None else now + timedelta(seconds=delay),
                error=error,
                failures=failures,
                attempts=self._source.last_attempts,
            )
        )
        return delay

    def _is_degraded(self) -> bool:
        snapshot = self._snapshot
        if snapshot is None:
            return False
        if not _DEGRADING.isdisjoint(map(_STATUS, snapshot.servers)):  # (in C: runs every poll)
            return True
        return any(
            h.report is not None and h.report.status is HealthStatus.UNHEALTHY
            for h in self._health.values()
        )

    # -- per-server healthchecks ----------------------------------------------------------
    def _forget_outdated_health(
        self, previous: ClusterSnapshot | None, snapshot: ClusterSnapshot
    ) -> None:
        """Drop the health of servers whose status changed; probe them again soon."""
        if previous is None:
            return
        if tuple(map(_ID, previous.servers)) == tuple(map(_ID, snapshot.servers)) and tuple(
            map(_STATUS, previous.servers)
        ) == tuple(map(_STATUS, snapshot.servers)):
            return  # the usual poll, checked in C: the same servers in the same states
        before = {s.id: s.status for s in previous.servers}
        changed = {s.id for s in snapshot.servers if before.get(s.id, s.status) != s.status}
        if not changed:
            return
        for server_id in changed:
            self._status_changes[server_id] = self._status_changes.get(server_id, 0) + 1
        self._recheck |= changed
        if any(self._health.pop(server_id, None) is not None for server_id in sorted(changed)):
            self._publish(HealthUpdated(dict(self._health)))

    def _maybe_probe_health(self, now: datetime) -> None:
        if self._health_task is not None and not self._health_task.done():
            return
        last = self._last_health_round
        if last is None or (now - last).total_seconds() >= self._health_interval:
            self._last_health_round = now
            only: set[str] | None = None  # every server
        elif self._recheck:
            only = set(self._recheck)
        else:
            return
        self._recheck.clear()
        self._health_task = asyncio.get_running_loop().create_task(
            self._probe_all(only), name="ClusterMonitor.health"
        )

    async def _probe_all(self, only: set[str] | None = None) -> None:
        """Probe every server (``only`` None) or the servers in ``only``, and publish."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        targets = [
            (s.id, s.management_url)
            for s in snapshot.servers
            if s.management_url and (only is None or s.id in only)
        ]
        started = {sid: self._status_changes.get(sid, 0) for sid, _ in targets}
        results = self._from_round(targets)
        if results is None:
            results = await asyncio.gather(*(self._probe(sid, url) for sid, url in targets))
        latest = self._snapshot or snapshot
        known = {s.id for s in latest.servers}
        # A result whose server changed status while it was probed describes the past.
        fresh = {
            h.server_id: h
            for h in results
            if h.server_id in known
            and self._status_changes.get(h.server_id, 0) == started[h.server_id]
        }
        if only is None:
            self._health = fresh
        else:
            self._health.update(fresh)
        self._publish(HealthUpdated(dict(self._health)))

    def _from_round(self, targets: list[tuple[str, str]]) -> list[ServerHealth] | None:
        """The targets' health taken from the last poll in one go (no task nor request
        per server), when the source has it; None otherwise."""
        if self._round_health is None:
            return None
        outcomes = self._round_health.round_health([url for _, url in targets])
        if outcomes is None:
            return None
        now = self._now()
        return [
            ServerHealth(sid, now, error=outcome.message)
            if isinstance(outcome, ConsoleError)
            else ServerHealth(sid, now, report=outcome)
            for (sid, _), outcome in zip(targets, outcomes, strict=True)
        ]

    async def _probe(self, server_id: str, url: str) -> ServerHealth:
        async with self._health_limit:
            try:
                report = await self._source.health(url)
            except ConsoleError as error:
                return ServerHealth(server_id, self._now(), error=error.message)
            except Exception as error:
                log.exception("unexpected error probing %s", url)
                return ServerHealth(server_id, self._now(), error=f"Unexpected error: {error!r}")
        return ServerHealth(server_id, self._now(), report=report)

    # -- publishing -----------------------------------------------------------------------
    def _set_status(self, status: MonitorStatus) -> None:
        self._status = status
        self._publish(StatusChanged(status))

    def _publish(self, event: MonitorEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("monitor listener %r failed", listener)
