"""AlertEngine: monitor events of every connection in, grouped and limited alerts out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.alerts.findings import Finding
from app.alerts.limits import RateLimiter
from app.alerts.model import Alert, AlertKind, Severity
from app.alerts.rules import ConnectionRules
from app.alerts.settings import AlertSettings
from app.alerts.texts import group_body, group_title, single_body, single_title
from app.monitor import HealthUpdated, MonitorEvent, SnapshotReceived

log = logging.getLogger(__name__)

Listener = Callable[[Alert], None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Connection:
    name: str
    rules: ConnectionRules = field(default_factory=ConnectionRules)
    limiter: RateLimiter = field(default_factory=RateLimiter)


class AlertEngine:
    """Turns the monitor events of every connection into alerts for the user.

    Feed it each event with ``feed`` (a ``ClusterMonitor`` listener can do that) and call
    ``tick`` every few seconds so that time-based alerts (connection lost, server stable
    again, alerts held by the rate limit) come out even when no event arrives. Both
    return the new alerts and also pass each to the subscribed listeners.

    Changes of several servers seen in the same event are grouped into one alert per
    kind. Not thread-safe: use it from one thread. ``clock`` gives the current time
    (UTC) when an event comes without one.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _utcnow,
        default_settings: AlertSettings | None = None,
    ) -> None:
        self._clock = clock
        self._default = default_settings or AlertSettings()
        self._settings: dict[str, AlertSettings] = {}
        self._connections: dict[str, _Connection] = {}
        self._listeners: list[Listener] = []
        self._change_listeners: list[Listener] = []

    # -- configuration --------------------------------------------------------------------
    def settings(self, connection_id: str) -> AlertSettings:
        return self._settings.get(connection_id, self._default)

    def set_settings(self, connection_id: str, settings: AlertSettings) -> None:
        self._settings[connection_id] = settings

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(alert)`` for every alert; returns the unsubscriber."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def subscribe_changes(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(alert)`` for every change found, grouped as alerts are but
        before the connection's settings and rate limit (the events journal wants them
        all); returns the unsubscriber."""
        self._change_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._change_listeners:
                self._change_listeners.remove(listener)

        return unsubscribe

    def note_own_action(
        self, connection_id: str, server_id: str, *, isolate: bool, at: datetime | None = None
    ) -> None:
        """Mark an isolation change this console is about to make, so the alert says "by you".

        Call it before sending the request; an unused mark expires after five minutes.
        """
        self._connection(connection_id, "").rules.note_own_action(
            server_id, isolate=isolate, at=at or self._clock()
        )

    def forget(self, connection_id: str) -> None:
        """Drop all state of a connection (closed or deleted)."""
        self._connections.pop(connection_id, None)
        self._settings.pop(connection_id, None)

    # -- input ----------------------------------------------------------------------------
    def feed(
        self,
        connection_id: str,
        connection_name: str,
        event: MonitorEvent,
        at: datetime | None = None,
    ) -> list[Alert]:
        """Apply one monitor event of a connection; returns the alerts it causes."""
        when = at or self._clock()
        state = self._connection(connection_id, connection_name)
        settings = self.settings(connection_id)
        if isinstance(event, SnapshotReceived):
            findings = state.rules.snapshot(event.snapshot, when, settings)
            findings += state.rules.due(when, settings)
        elif isinstance(event, HealthUpdated):
            findings = state.rules.health(event.health) + state.rules.due(when, settings)
        else:
            findings = state.rules.status(event.status, when, settings)
        return self._emit(connection_id, state, findings, when)

    def tick(self, at: datetime | None = None) -> list[Alert]:
        """Alerts due by time alone, for every connection."""
        when = at or self._clock()
        alerts: list[Alert] = []
        for connection_id, state in list(self._connections.items()):
            findings = state.rules.due(when, self.settings(connection_id))
            alerts += self._emit(connection_id, state, findings, when)
        return alerts

    # -- output ---------------------------------------------------------------------------
    def _connection(self, connection_id: str, name: str) -> _Connection:
        state = self._connections.get(connection_id)
        if state is None:
            state = self._connections[connection_id] = _Connection(name)
        elif name:
            state.name = name
        return state

    def _emit(
        self, connection_id: str, state: _Connection, findings: list[Finding], at: datetime
    ) -> list[Alert]:
        settings = self.settings(connection_id)
        if self._change_listeners and findings:
            for change in _group(findings, connection_id, state.name, at):
                _call_each(self._change_listeners, change)
        wanted = [f for f in findings if settings.enabled(f.kind)]
        alerts = _group(wanted, connection_id, state.name, at)
        summary = state.limiter.release(at, settings.max_per_minute)
        out = ([summary] if summary else []) + state.limiter.admit(
            alerts, at, settings.max_per_minute
        )
        for alert in out:
            _call_each(self._listeners, alert)
        return out


def _call_each(listeners: list[Listener], alert: Alert) -> None:
    """Every listener gets ``alert``; one that raises is logged and breaks no other."""
    for listener in list(listeners):
        try:
            listener(alert)
        except Exception:
            log.exception("alert listener %r failed", listener)


def _group(findings: list[Finding], connection_id: str, name: str, at: datetime) -> list[Alert]:
    """One alert per (kind, severity, variant), most severe first."""
    groups: dict[tuple[AlertKind, Severity, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.group_key, []).append(finding)
    alerts: list[Alert] = []
    for (kind, severity, variant), members in groups.items():
        ids = tuple(f.server_id for f in members if f.server_id is not None)
        names = tuple(f.server_name or f.server_id or "" for f in members if f.server_id)
        if len(members) == 1:
            title, body = single_title(members[0], name), single_body(members[0], name)
        else:
            title, body = group_title(kind, variant, names, name), group_body(kind, name)
        alerts.append(Alert(kind, severity, connection_id, name, ids, names, title, body, at))
    alerts.sort(key=lambda alert: -alert.severity)
    return alerts
