"""A single observation of the rules, before grouping and limiting turn it into an Alert."""

from __future__ import annotations

from dataclasses import dataclass

from app.alerts.model import AlertKind, Severity


@dataclass(frozen=True)
class Finding:
    """One change about one server (or the connection, when ``server_id`` is None).

    Findings with the same ``kind``, ``severity`` and ``variant`` seen at the same time
    are grouped into one alert. ``variant`` refines the wording ("Degraded", "you",
    a user name); ``detail`` is a line of detail used when the finding stands alone.
    """

    kind: AlertKind
    severity: Severity
    server_id: str | None = None
    server_name: str | None = None
    variant: str = ""
    detail: str = ""

    @property
    def group_key(self) -> tuple[AlertKind, Severity, str]:
        return self.kind, self.severity, self.variant
