"""RolloutDriver: runs the step machine against a live connection.

It feeds the machine the monitor's snapshots and health, the connection's state, a
clock and the admin's commands; carries out the machine's actions through
``ClusterActions`` and the Management Tool client; saves the run after every step that
changed it; and records each message in the audit trail before handing it on. It holds
no logic of the sequence itself (that is ``app.rollout.machine``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from app.actions import ClusterActions
from app.api.errors import ConsoleError
from app.api.models import ClusterSnapshot, HealthReport, HealthStatus
from app.audit import AuditAction, AuditResult
from app.monitor import (
    ClusterMonitor,
    ConnectionState,
    HealthUpdated,
    MonitorEvent,
    ServerHealth,
    SnapshotReceived,
    StatusChanged,
)
from app.rollout.events import (
    ActionFailed,
    ActionSucceeded,
    Admin,
    HealthProbed,
    Isolate,
    MessageKind,
    Observation,
    ProbeHealth,
    ReturnToService,
    RolloutAction,
    RolloutInput,
    RolloutMessage,
    Verified,
    Verify,
)
from app.rollout.machine import resumed_after_load, step
from app.rollout.state import RolloutState, RunStatus
from app.rollout.store import RolloutStore

log = logging.getLogger(__name__)
_T = TypeVar("_T")

DEFAULT_TICK_S = 1.0
_LOST = (
    ConnectionState.STALE,
    ConnectionState.UNREACHABLE,
    ConnectionState.AUTH_FAILED,
    ConnectionState.TLS_PROBLEM,
)
_AUDIT_RESULTS = {
    MessageKind.PAUSED: AuditResult.FAILED,
    MessageKind.ABORTED: AuditResult.CANCELLED,
}


class HealthSource(Protocol):
    """What the driver needs from a Management Tool client besides the monitor."""

    async def cluster(self) -> ClusterSnapshot: ...

    async def health(self, url: str | None = None) -> HealthReport: ...


def health_apart_from_isolation(report: HealthReport) -> HealthStatus:
    """The report's status, except that an isolated server whose only flaw is its
    ``isolation`` entry counts as healthy (isolation degrades the report on purpose)."""
    if report.status is HealthStatus.HEALTHY or not report.isolated:
        return report.status
    others = [entry.status for name, entry in report.entries.items() if name != "isolation"]
    if report.ok and all(status is HealthStatus.HEALTHY for status in others):
        return HealthStatus.HEALTHY
    return report.status


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RolloutDriver:
    """Drives one saved run of one connection until it ends (or pauses, if asked).

    The caller holds the run's lock (``RolloutStore.lock``) for as long as ``run()``
    goes on. ``key`` names the saved file. ``on_message`` and ``on_state`` are called on
    the loop for every message and every changed state; an exception in them is logged.
    Cancelling ``run()`` leaves the cluster and the saved run as they are: running the
    same run again resumes it.
    """

    def __init__(
        self,
        state: RolloutState,
        *,
        key: str,
        store: RolloutStore,
        monitor: ClusterMonitor,
        client: HealthSource,
        actions: ClusterActions,
        read_only: bool = False,
        clock: Callable[[], datetime] = _utcnow,
        tick_s: float = DEFAULT_TICK_S,
        on_message: Callable[[RolloutMessage], None] | None = None,
        on_state: Callable[[RolloutState], None] | None = None,
    ) -> None:
        self._state = resumed_after_load(state)
        self._key = key
        self._store = store
        self._monitor = monitor
        self._client = client
        self._actions = actions
        self._read_only = read_only
        self._clock = clock
        self._tick_s = tick_s
        self._on_message = on_message
        self._on_state = on_state
        self._inputs: asyncio.Queue[RolloutInput | None] = asyncio.Queue()
        self._snapshot: ClusterSnapshot | None = None
        self._health: dict[str, ServerHealth] = {}
        self._problem: str | None = None

    @property
    def state(self) -> RolloutState:
        return self._state

    def command(self, admin: Admin) -> None:
        """Queue the admin's command; it is applied at the next step."""
        self._inputs.put_nowait(admin)

    async def run(self, *, stop_when_paused: bool = False) -> RolloutState:
        """Drive the run until it finishes or is aborted (or pauses, with
        ``stop_when_paused``); returns the last state, which is saved."""
        unsubscribe = self._monitor.subscribe(self._on_monitor_event)
        try:
            await self._read_cluster()
            event: RolloutInput | None = None
            while True:
                outcome = step(
                    self._state,
                    self._observation(),
                    self._clock(),
                    event,
                    read_only=self._read_only,
                )
                await self._publish(outcome.state, outcome.messages)
                if not self._state.status.active:
                    return self._state
                paused = self._state.status is RunStatus.PAUSED
                if stop_when_paused and paused and self._inputs.empty():
                    return self._state
                if outcome.actions:
                    event = await self._carry_out(outcome.actions[0])
                else:
                    event = await self._next_input()
        finally:
            unsubscribe()

    # -- inputs ----------------------------------------------------------------------------
    async def _read_cluster(self) -> None:
        """Re-read the cluster before the first step, so a resumed run starts from now."""
        try:
            self._snapshot = await self._client.cluster()
        except ConsoleError as error:
            log.warning("first read of the cluster failed: %s | %s", error.message, error.detail)
            self._problem = error.message
            self._snapshot = self._monitor.snapshot
        for server_id, health in self._monitor.health.items():
            self._health.setdefault(server_id, health)

    async def _next_input(self) -> RolloutInput | None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._tick_s):
                return await self._inputs.get()
        return None

    def _on_monitor_event(self, event: MonitorEvent) -> None:
        if isinstance(event, SnapshotReceived):
            self._snapshot = event.snapshot
        elif isinstance(event, StatusChanged):
            status = event.status
            if status.state in _LOST:
                self._problem = status.error.message if status.error else status.state.label
            elif status.state in (ConnectionState.CONNECTED, ConnectionState.DEGRADED):
                self._problem = None
        elif isinstance(event, HealthUpdated):
            self._merge_health(event.health)
        self._inputs.put_nowait(None)  # a tick: something changed

    def _merge_health(self, health: Mapping[str, ServerHealth]) -> None:
        for server_id, fresh in health.items():
            known = self._health.get(server_id)
            if known is None or fresh.checked_at >= known.checked_at:
                self._health[server_id] = fresh

    def _observation(self) -> Observation:
        health = {
            server_id: h.report.status
            for server_id, h in self._health.items()
            if h.report is not None
        }
        return Observation(self._snapshot, health, self._problem)

    # -- actions ---------------------------------------------------------------------------
    async def _carry_out(self, action: RolloutAction) -> RolloutInput:
        if isinstance(action, ProbeHealth):
            return await self._probe_all()
        if isinstance(action, Verify):
            return await self._verify(action.server_id)
        try:
            if isinstance(action, Isolate):
                await self._actions.isolate(action.server_id, reason=action.reason)
            elif isinstance(action, ReturnToService):
                await self._actions.return_to_service(action.server_id)
        except ConsoleError as error:
            return ActionFailed(action.kind, action.server_id, error.message)
        return ActionSucceeded(action.kind, action.server_id)

    async def _probe_all(self) -> HealthProbed:
        snapshot = self._snapshot
        targets = [] if snapshot is None else [s for s in snapshot.servers if s.management_url]
        results = await asyncio.gather(*(self._probe(s.id, s.management_url) for s in targets))
        self._merge_health({h.server_id: h for h in results})
        statuses = {h.server_id: h.report.status for h in results if h.report is not None}
        problems = {h.server_id: h.error for h in results if h.error is not None}
        return HealthProbed(statuses, problems)

    async def _probe(self, server_id: str, url: str | None) -> ServerHealth:
        try:
            report = await self._client.health(url)
        except ConsoleError as error:
            return ServerHealth(server_id, self._clock(), error=error.message)
        return ServerHealth(server_id, self._clock(), report=report)

    async def _verify(self, server_id: str) -> Verified:
        server = self._snapshot.server(server_id) if self._snapshot else None
        try:
            info = await self._actions.version(server_id)
        except ConsoleError as error:
            return Verified(server_id, None, HealthStatus.UNKNOWN, error.message)
        if server is None or not server.management_url:
            return Verified(server_id, info.version, HealthStatus.HEALTHY)
        probed = await self._probe(server_id, server.management_url)
        self._merge_health({server_id: probed})
        if probed.report is None:
            return Verified(server_id, info.version, HealthStatus.UNKNOWN, probed.error)
        return Verified(server_id, info.version, health_apart_from_isolation(probed.report))

    # -- output ----------------------------------------------------------------------------
    async def _publish(self, state: RolloutState, messages: tuple[RolloutMessage, ...]) -> None:
        changed = state != self._state
        self._state = state
        if changed:
            await asyncio.to_thread(self._store.save, self._key, state)
        for message in messages:
            if message.audited:
                result = _AUDIT_RESULTS.get(message.kind, AuditResult.OK)
                detail = f"{message.step or message.kind.value}: {message.text}"
                await self._actions.record(
                    AuditAction.ROLLOUT, message.server or "", result, detail
                )
            self._call(self._on_message, message)
        if changed:
            self._call(self._on_state, state)

    def _call(self, callback: Callable[[_T], None] | None, value: _T) -> None:
        if callback is None:
            return
        try:
            callback(value)
        except Exception:
            log.exception("rollout listener %r failed", callback)
