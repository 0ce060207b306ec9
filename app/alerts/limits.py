"""The per-connection rate limit: excess alerts are held and summed up in one later alert."""

from __future__ import annotations

from collections import deque
from datetime import datetime

from app.alerts.model import Alert, AlertKind

WINDOW_S = 60.0
SUMMARY_TITLES = 3


class RateLimiter:
    """Lets at most ``limit`` alerts through in any ``WINDOW_S`` seconds.

    Alerts beyond the limit are held, not lost: ``release`` turns them into one
    ``SUPPRESSED`` summary (with the highest severity among them) as soon as the window
    has room again; the summary counts against the limit like any alert.
    """

    def __init__(self) -> None:
        self._sent: deque[datetime] = deque()
        self._held: list[Alert] = []

    @property
    def held(self) -> int:
        return len(self._held)

    def admit(self, alerts: list[Alert], at: datetime, limit: int) -> list[Alert]:
        """The alerts that may go out now; the others are held."""
        self._expire(at)
        passed: list[Alert] = []
        for alert in alerts:
            if len(self._sent) < limit:
                self._sent.append(at)
                passed.append(alert)
            else:
                self._held.append(alert)
        return passed

    def release(self, at: datetime, limit: int) -> Alert | None:
        """The summary of the held alerts, if there are some and the window has room."""
        self._expire(at)
        if not self._held or len(self._sent) >= limit:
            return None
        held, self._held = self._held, []
        self._sent.append(at)
        first = held[0]
        titles = [alert.title for alert in held[:SUMMARY_TITLES]]
        more = "; …" if len(held) > SUMMARY_TITLES else ""
        server_ids = tuple(dict.fromkeys(sid for alert in held for sid in alert.server_ids))
        server_names = tuple(dict.fromkeys(n for alert in held for n in alert.server_names))
        count = len(held)
        noun = "alert was" if count == 1 else "alerts were"
        return Alert(
            kind=AlertKind.SUPPRESSED,
            severity=max(alert.severity for alert in held),
            connection_id=first.connection_id,
            connection_name=first.connection_name,
            server_ids=server_ids,
            server_names=server_names,
            title=f"{count} more {noun} held back for {first.connection_name}",
            body="; ".join(titles) + more,
            at=at,
        )

    def _expire(self, at: datetime) -> None:
        while self._sent and (at - self._sent[0]).total_seconds() >= WINDOW_S:
            self._sent.popleft()
