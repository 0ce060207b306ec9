"""Words and sort keys for the Application Servers table (no widgets, no state)."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QLocale

from app.api.states import HealthStatus, ServerStatus
from app.monitor import ServerHealth
from app.server_health import health_problem, only_isolation_degraded
from app.text_safety import display_text

if TYPE_CHECKING:
    from app.api.models import HealthReport, Isolation, Server

NO_VALUE = "—"

_STATUS_WORDS: dict[ServerStatus, str] = {
    ServerStatus.ONLINE: "Online",
    ServerStatus.OFFLINE: "Offline",
    ServerStatus.ISOLATED: "Isolated",
    ServerStatus.STARTING: "Starting",
    ServerStatus.STOPPING: "Stopping",
    ServerStatus.UNKNOWN: "Unknown",
}

_STATUS_EXPLANATIONS: dict[ServerStatus, str] = {
    ServerStatus.ONLINE: "In the load balancer's rotation; accepts new Clients.",
    ServerStatus.OFFLINE: "The Application Server is not running.",
    ServerStatus.ISOLATED: "Out of the load balancer's rotation; its Clients move elsewhere.",
    ServerStatus.STARTING: "The Application Server is starting.",
    ServerStatus.STOPPING: "The Application Server is stopping.",
    ServerStatus.UNKNOWN: "The Management Tool reported a status this console does not know.",
}

# Worst first, so that an ascending sort puts the servers that need attention on top.
_STATUS_SEVERITY: dict[ServerStatus, int] = {
    ServerStatus.OFFLINE: 0,
    ServerStatus.UNKNOWN: 1,
    ServerStatus.STOPPING: 2,
    ServerStatus.STARTING: 3,
    ServerStatus.ISOLATED: 4,
    ServerStatus.ONLINE: 5,
}

_HEALTH_SEVERITY: dict[HealthStatus, int] = {
    HealthStatus.UNHEALTHY: 0,
    HealthStatus.UNKNOWN: 2,
    HealthStatus.DEGRADED: 3,
    HealthStatus.HEALTHY: 4,
}
_HEALTH_CHECK_FAILED_SEVERITY = 1
_HEALTH_NOT_PROBED_SEVERITY = 5


def clients_phrase(count: int) -> str:
    """ "1 Client", "12 Clients" (Client is the product's name for a monitored endpoint)."""
    return f"{count} Client" if count == 1 else f"{count} Clients"


def status_text(server: Server, health: ServerHealth | None = None) -> str:
    """ "Online", "Isolated, 12 Clients still connected", "Offline", …; with ``health``,
    what the server's own healthcheck found wrong: "Online, unhealthy: HTTP 503"."""
    word = _STATUS_WORDS[server.status]
    if server.status is ServerStatus.ISOLATED and server.clients > 0:
        word = f"{word}, {clients_phrase(server.clients)} still connected"
    problem = health_problem(server, health)
    if problem is None:
        return word
    return f"{word}; {problem}" if "," in word else f"{word}, {problem}"


def status_explanation(status: ServerStatus) -> str:
    """One sentence on what the status means, for a tooltip."""
    return _STATUS_EXPLANATIONS[status]


def status_severity(status: ServerStatus) -> int:
    """Sort key of a status: lower needs more attention."""
    return _STATUS_SEVERITY[status]


def relative_time(seconds: float) -> str:
    """ "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago"."""
    whole = int(seconds)
    if whole < 1:
        return "just now"
    if whole < 60:
        return f"{whole} s ago"
    if whole < 3600:
        return f"{whole // 60} min ago"
    if whole < 86400:
        return f"{whole // 3600} h ago"
    return f"{whole // 86400} d ago"


def local_time_text(moment: datetime) -> str:
    """``moment`` in the user's time zone, in the user's locale's long format."""
    stamp = QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))
    return QLocale().toString(stamp, QLocale.FormatType.LongFormat)


def number_text(value: int) -> str:
    """An integer with the locale's digit grouping."""
    return QLocale().toString(value)


def percent_text(fraction: float) -> str:
    """ "34%" for 0.34; "<1%" for a small non-zero share."""
    if 0.0 < fraction < 0.005:
        return "<1%"
    return f"{fraction * 100:.0f}%"


def version_sort_key(version: str | None) -> str:
    """A string that sorts versions numerically ("9.10" after "9.9"); "" for none."""
    if not version:
        return ""
    pieces = version.replace("-", ".").split(".")
    return ".".join(p.zfill(10) if p.isdigit() else p.casefold() for p in pieces)


def address_sort_key(address: str) -> str:
    """IP addresses in numeric order (IPv4 before IPv6), then host names alphabetically."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return "2" + address.casefold()
    family = "0" if ip.version == 4 else "1"
    return family + ip.packed.hex().zfill(32)


def isolation_text(isolation: Isolation, age_seconds: float | None) -> str:
    """ "Windows updates (admin, 12 min ago)"; parts the server did not send are left out."""
    reason = isolation.reason or "No reason given"
    details = [part for part in (isolation.by, _age(age_seconds)) if part]
    return f"{reason} ({', '.join(details)})" if details else reason


def isolation_tooltip(isolation: Isolation) -> str:
    since = local_time_text(isolation.since) if isolation.since else "an unknown time"
    by = f" by {isolation.by}" if isolation.by else ""
    reason = isolation.reason or "No reason given"
    return f"Isolated since {since}{by}\nReason: {reason}"


def _age(age_seconds: float | None) -> str:
    return "" if age_seconds is None else relative_time(age_seconds)


def health_text(health: ServerHealth | None) -> str:
    """ "Healthy", "Degraded", "Unhealthy", "Unknown", "Check failed", or "—" (not probed)."""
    if health is None:
        return NO_VALUE
    if health.report is None:
        return "Check failed"
    if only_isolation_degraded(health.report):
        return "Degraded (isolated)"  # as intended: not a fault
    report = health.report
    if report.response_ms is not None:  # a health-only connection: its code or its time
        detail = f"{report.response_ms:.0f} ms" if report.ok else f"HTTP {report.http_status}"
        return f"{report.status.value} · {detail}"
    return health.report.status.value


def health_icon_name(health: ServerHealth | None) -> str | None:
    """The icon of a health cell; None when the server was not probed."""
    if health is None:
        return None
    if health.report is None:
        return "health-unknown"
    if only_isolation_degraded(health.report):
        return "status-isolated"
    return f"health-{health.report.status.value.lower()}"


def health_severity(health: ServerHealth | None) -> int:
    """Sort key of a health cell: lower needs more attention."""
    if health is None:
        return _HEALTH_NOT_PROBED_SEVERITY
    if health.report is None:
        return _HEALTH_CHECK_FAILED_SEVERITY
    if only_isolation_degraded(health.report):
        return _HEALTH_SEVERITY[HealthStatus.HEALTHY]
    return _HEALTH_SEVERITY[health.report.status]


def health_tooltip(health: ServerHealth | None, server: Server) -> str:
    """The healthcheck's entries, or why there are none."""
    if health is None:
        if server.management_url is None:
            return "This server has no Management Tool endpoint to probe."
        return "Not checked yet."
    checked = f"Checked {local_time_text(health.checked_at)}"
    if health.report is None:
        return f"The healthcheck could not be read: {health.error or 'unknown error'}\n{checked}"
    return "\n".join([*_report_lines(health.report), checked])


def _report_lines(report: HealthReport) -> list[str]:
    lines = [f"{report.status.value} (HTTP {report.http_status})"]
    for name, entry in report.entries.items():
        # Entry names, descriptions and durations are the server's words.
        line = f"{display_text(name, None)}: {entry.status.value}"
        if entry.description:
            line += f" — {display_text(entry.description, None)}"
        if entry.duration:
            line += f" ({display_text(entry.duration, None)})"
        lines.append(line)
    return lines
