"""The rules of one connection: what changed since the last event, as findings.

Each condition (a server offline, drained, isolated, unhealthy; the connection lost)
is latched: it yields a finding when it begins and again only after it has ended,
however many events repeat it. That is the de-duplication.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import compress
from operator import attrgetter, is_not

from app.alerts.findings import Finding
from app.alerts.flapping import FlapTracker, FlapVerdict
from app.alerts.model import AlertKind, Severity
from app.alerts.settings import AlertSettings
from app.alerts.texts import duration
from app.api.models import ClusterSnapshot, HealthStatus, Server, ServerStatus
from app.monitor import ConnectionState, MonitorStatus, ServerHealth
from app.server_health import only_isolation_degraded

OWN_ACTION_TTL = timedelta(minutes=5)
_ID = attrgetter("id")
_RUNNING = (ServerStatus.ONLINE, ServerStatus.ISOLATED)
_LOST = (ConnectionState.STALE, ConnectionState.UNREACHABLE)
_ANSWERING = (ConnectionState.CONNECTED, ConnectionState.DEGRADED)
_HEALTH_SEVERITY = {
    HealthStatus.HEALTHY: Severity.INFO,
    HealthStatus.DEGRADED: Severity.WARNING,
    HealthStatus.UNHEALTHY: Severity.CRITICAL,
}


@dataclass(frozen=True)
class _Seen:
    """What the rules remember of a server from the previous snapshot."""

    name: str
    status: ServerStatus
    isolated: bool
    drained: bool
    offline: bool  # latched: set on going offline, cleared once it runs again


def _isolated(server: Server) -> bool:
    return server.isolation is not None or server.status is ServerStatus.ISOLATED


class ConnectionRules:
    """Follows one connection's snapshots, health rounds and status; returns findings.

    The first snapshot after start (or after monitoring stopped and started again) is
    the baseline: it only sets the state. So is a server's first health report, and
    the first sight of a server that joins the list.
    """

    def __init__(self) -> None:
        self._own: dict[tuple[str, bool], datetime] = {}  # (server, isolate?) -> expiry
        self._reset()

    def _reset(self) -> None:
        """Forget everything seen (not the own-action marks): the next snapshot is a baseline."""
        self._servers: dict[str, _Seen] | None = None
        self._judged: dict[str, Server] = {}  # the objects ``_servers`` was made from
        self._health: dict[str, HealthStatus] = {}
        self._flaps = FlapTracker()
        self._lost_since: datetime | None = None
        self._lost_error = ""
        self._lost_reported = False

    def note_own_action(self, server_id: str, *, isolate: bool, at: datetime) -> None:
        """The next isolation change of ``server_id`` in that direction is "by you"."""
        self._own[(server_id, isolate)] = at + OWN_ACTION_TTL

    # -- snapshots ------------------------------------------------------------------------
    def snapshot(self, snapshot: ClusterSnapshot, at: datetime, s: AlertSettings) -> list[Finding]:
        previous = self._servers
        servers = snapshot.servers
        ids = list(map(_ID, servers))
        listed = dict(zip(ids, servers, strict=True))
        # The very object judged last time (the API client keeps an unchanged server's
        # object): what the rules saw then holds, and nothing began or ended. Those are
        # found in C (``map``); only the others are judged again, in snapshot order.
        judged = self._judged if previous is not None else {}
        fresh = list(map(is_not, map(judged.get, ids), servers))
        current: dict[str, _Seen] = {}
        if previous is not None:
            if previous.keys() <= listed.keys():  # no server left: the usual poll
                current = dict(previous)
            else:
                current = {sid: seen for sid, seen in previous.items() if sid in listed}
        findings: list[Finding] = []
        for server in compress(servers, fresh):
            server_id = server.id
            before = None if previous is None else previous.get(server_id)
            seen, found = self._server(server, before, at, s)
            current[server_id] = seen
            findings.extend(found)
        for gone in (previous or {}).keys() - current.keys():
            self._flaps.forget(gone)
            self._health.pop(gone, None)
        self._servers = current
        self._judged = listed
        return findings

    def _server(
        self, server: Server, before: _Seen | None, at: datetime, s: AlertSettings
    ) -> tuple[_Seen, list[Finding]]:
        isolated = _isolated(server)
        drained = isolated and server.status in _RUNNING and server.clients == 0
        offline = server.status is ServerStatus.OFFLINE or (
            before is not None and before.offline and server.status not in _RUNNING
        )
        seen = _Seen(server.name, server.status, isolated, drained, offline)
        if before is None:
            return seen, []
        found: list[Finding] = []
        name, sid = server.name, server.id
        if offline and not before.offline:
            found.extend(self._went_offline(sid, name, at, s))
        elif before.offline and not offline:
            verdict = self._flaps.came_back(sid, at) if s.enabled(AlertKind.FLAPPING) else None
            if verdict is not FlapVerdict.HELD:
                found.append(Finding(AlertKind.BACK_ONLINE, Severity.INFO, sid, name))
        if isolated != before.isolated:
            found.append(self._isolation_change(server, isolated, at))
        if drained and not before.drained:
            found.append(Finding(AlertKind.DRAINED, Severity.INFO, sid, name))
        return seen, found

    def _went_offline(self, sid: str, name: str, at: datetime, s: AlertSettings) -> list[Finding]:
        verdict = FlapVerdict.NORMAL
        if s.enabled(AlertKind.FLAPPING):
            verdict = self._flaps.went_offline(
                sid, at, count=s.flap_count, window_s=s.flap_window_s
            )
        if verdict is FlapVerdict.HELD:
            return []
        if verdict is FlapVerdict.STARTED:
            detail = (
                f"Offline more than {s.flap_count} times in {duration(s.flap_window_s)}; "
                f"alerts about it are held until it stays put for {duration(s.flap_window_s)}."
            )
            return [Finding(AlertKind.FLAPPING, Severity.WARNING, sid, name, "flapping", detail)]
        return [Finding(AlertKind.OFFLINE, Severity.CRITICAL, sid, name)]

    def _isolation_change(self, server: Server, isolated: bool, at: datetime) -> Finding:
        by_you = self._take_own(server.id, isolated, at)
        if isolated:
            by = "you" if by_you else (server.isolation.by if server.isolation else None) or ""
            reason = server.isolation.reason if server.isolation else None
            detail = f"Reason: {reason}" if reason else ""
            return Finding(AlertKind.ISOLATED, Severity.INFO, server.id, server.name, by, detail)
        variant = "you" if by_you else ""
        return Finding(AlertKind.RETURNED, Severity.INFO, server.id, server.name, variant)

    def _take_own(self, server_id: str, isolate: bool, at: datetime) -> bool:
        self._own = {key: until for key, until in self._own.items() if until > at}
        return self._own.pop((server_id, isolate), None) is not None

    # -- health ---------------------------------------------------------------------------
    def health(self, health: Mapping[str, ServerHealth]) -> list[Finding]:
        """Changes of health level; servers that are not running are left out.

        Degraded only by its ``isolation`` entry counts as Healthy: a server isolated on
        purpose is the cluster doing what it was asked (the isolation has its own alert).
        """
        findings: list[Finding] = []
        for sid, probe in health.items():
            seen = None if self._servers is None else self._servers.get(sid)
            level = probe.report.status if probe.report is not None else None
            if probe.report is not None and only_isolation_degraded(probe.report):
                level = HealthStatus.HEALTHY
            if seen is None or seen.status not in _RUNNING:
                self._health.pop(sid, None)
                continue
            if level not in _HEALTH_SEVERITY:
                continue  # no report, or a status the console cannot judge
            before = self._health.get(sid)
            self._health[sid] = level
            if before is None or before == level:
                continue
            failing = [
                name
                for name, entry in (probe.report.entries if probe.report else {}).items()
                if entry.status is not HealthStatus.HEALTHY
            ]
            detail = f"Failing checks: {', '.join(failing)}." if failing else ""
            findings.append(
                Finding(
                    AlertKind.HEALTH, _HEALTH_SEVERITY[level], sid, seen.name, level.value, detail
                )
            )
        return findings

    # -- connection status ----------------------------------------------------------------
    def status(self, status: MonitorStatus, at: datetime, s: AlertSettings) -> list[Finding]:
        if status.state is ConnectionState.IDLE:  # monitoring stopped: start afresh next time
            self._reset()
            return []
        if status.state in _LOST:
            if self._lost_since is None:
                self._lost_since = at
            self._lost_error = status.error.message if status.error is not None else ""
            return self.due(at, s)
        if status.state in _ANSWERING and self._lost_since is not None:
            lost_for = (at - self._lost_since).total_seconds()
            reported, self._lost_since, self._lost_reported = self._lost_reported, None, False
            if reported:
                detail = f"It was lost for {duration(lost_for)}."
                return [Finding(AlertKind.CONNECTION_RECOVERED, Severity.INFO, detail=detail)]
        return []

    def due(self, at: datetime, s: AlertSettings) -> list[Finding]:
        """Findings that come with time alone: the connection lost, servers stable again."""
        findings: list[Finding] = []
        if self._lost_since is not None and not self._lost_reported:
            lost_for = (at - self._lost_since).total_seconds()
            if lost_for >= s.connection_lost_after_s:
                self._lost_reported = True
                reason = f": {self._lost_error.rstrip('.')}" if self._lost_error else ""
                detail = f"No answer for {duration(lost_for)}{reason}."
                findings.append(
                    Finding(AlertKind.CONNECTION_LOST, Severity.CRITICAL, detail=detail)
                )
        for sid in self._flaps.settle(at, window_s=s.flap_window_s):
            seen = None if self._servers is None else self._servers.get(sid)
            if seen is None:
                continue
            state = "offline" if seen.offline else seen.status.value
            detail = f"No change for {duration(s.flap_window_s)}; it is {state}."
            severity = Severity.CRITICAL if seen.offline else Severity.INFO
            findings.append(Finding(AlertKind.FLAPPING, severity, sid, seen.name, "stable", detail))
        return findings
