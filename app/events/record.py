"""EventRecord: one line of the events journal, from an alert or from the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from app.alerts import Alert, Severity
from app.audit import AuditEntry, AuditResult, format_timestamp

MAX_TEXT_CHARS = 2000


class EventSource(StrEnum):
    """Where a record comes from."""

    CLUSTER = "cluster"  # a change the console saw (alert engine), whoever caused it
    ACTION = "action"  # an action of this computer's admin (audit trail)


_ACTION_SEVERITY = {
    AuditResult.OK: Severity.INFO,
    AuditResult.CANCELLED: Severity.INFO,
    AuditResult.FAILED: Severity.WARNING,
    AuditResult.UNKNOWN: Severity.WARNING,
}


@dataclass(frozen=True)
class EventRecord:
    """One event. ``ts`` is when (UTC) it was seen or done; ``kind`` an ``AlertKind`` or
    ``AuditAction`` value; ``connection`` the connection's name (``connection_id`` is ""
    for actions: the audit trail knows names only); ``servers`` the server names it is
    about and ``server_ids`` their ids (an action's name is the id until a snapshot
    named it); ``title`` one line; ``text`` the detail; ``user`` who acted (actions only).

    Every text field may come from a server: show it through ``display_text``.
    """

    ts: datetime
    source: EventSource
    severity: Severity
    kind: str
    connection_id: str
    connection: str
    servers: tuple[str, ...]
    title: str
    text: str = ""
    user: str = ""
    server_ids: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[object, ...]:
        """Identity used to drop a record seen twice (in the journal, the audit trail and
        live): an action is the same action whatever name its server was shown with."""
        return (self.ts, self.source, self.kind, self.connection, self.server_ids, self.user)

    def named(self, names: Mapping[str, str]) -> EventRecord:
        """This record with its servers named by ``names`` (server id -> name) where known."""
        servers = tuple(
            names.get(sid, shown) for sid, shown in zip(self.server_ids, self.servers, strict=False)
        )
        if servers == self.servers:
            return self
        title = self.title
        for old, new in zip(self.servers, servers, strict=False):
            title = title.replace(old, new)
        return replace(self, servers=servers, title=title)

    def to_json(self) -> dict[str, Any]:
        return {
            "ts": format_timestamp(self.ts),
            "source": self.source.value,
            "severity": self.severity.name.lower(),
            "kind": self.kind,
            "connection_id": self.connection_id,
            "connection": self.connection,
            "servers": list(self.servers),
            "title": self.title,
            "text": self.text,
            "user": self.user,
            "server_ids": list(self.server_ids),
        }

    @classmethod
    def from_json(cls, data: Any) -> EventRecord:
        """Parse one decoded line; raises ``ValueError`` (or ``KeyError``/``TypeError``)
        when it is not a record."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        texts = ("kind", "connection_id", "connection", "title", "text", "user")
        values = {key: data.get(key, "") for key in texts}
        servers = _texts(data.get("servers", []))
        if not all(isinstance(v, str) for v in values.values()):
            raise ValueError("a field is not text")
        return cls(
            ts=datetime.fromisoformat(str(data["ts"])).astimezone(UTC),
            source=EventSource(data["source"]),
            severity=Severity[str(data["severity"]).upper()],
            servers=servers,
            server_ids=_texts(data.get("server_ids", [])),
            **{key: value[:MAX_TEXT_CHARS] for key, value in values.items()},
        )


def event_from_alert(alert: Alert) -> EventRecord:
    """The record of a change the alert engine found (before settings and rate limits)."""
    return EventRecord(
        ts=_millis(alert.at),
        source=EventSource.CLUSTER,
        severity=alert.severity,
        kind=alert.kind.value,
        connection_id=alert.connection_id,
        connection=alert.connection_name,
        servers=alert.server_names,
        server_ids=alert.server_ids,
        title=alert.title[:MAX_TEXT_CHARS],
        text=alert.body[:MAX_TEXT_CHARS],
    )


def event_from_audit(entry: AuditEntry) -> EventRecord:
    """The record of one of the admin's own actions; failures are warnings."""
    action = entry.action.value
    result = entry.result.value
    title = f"{action.capitalize()} {entry.server}: {result}" if entry.server else action
    return EventRecord(
        ts=entry.ts,
        source=EventSource.ACTION,
        severity=_ACTION_SEVERITY[entry.result],
        kind=action,
        connection_id="",
        connection=entry.connection,
        servers=(entry.server,) if entry.server else (),
        server_ids=(entry.server,) if entry.server else (),
        title=title,
        text=entry.detail,
        user=entry.user,
    )


def merge_newest_first(*groups: Iterable[EventRecord]) -> list[EventRecord]:
    """Every record of ``groups`` once (by ``key``), newest first."""
    seen: dict[tuple[object, ...], EventRecord] = {}
    for group in groups:
        for record in group:
            seen.setdefault(record.key, record)
    return sorted(seen.values(), key=lambda record: record.ts, reverse=True)


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("not a list of text")
    return tuple(item[:MAX_TEXT_CHARS] for item in value)


def _millis(moment: datetime) -> datetime:
    """``moment`` in UTC to the millisecond, as stored (so a re-read record is equal)."""
    utc = moment.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)
