"""Server values for tests that need no cluster."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.api.models import Isolation, Server, ServerStatus
from app.connections import ConnectionProfile
from app.monitor import ConnectionState, MonitorStatus

SEEN = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def server(number: int, status: ServerStatus = ServerStatus.ONLINE, **fields: Any) -> Server:
    values: dict[str, Any] = {
        "id": f"as-0{number}",
        "name": f"EKRAN-AS0{number}",
        "address": f"10.0.0.{number}",
        "status": status,
        "clients": 10 * number,
        "version": "9.2.4",
        "last_seen": SEEN,
        "management_url": f"https://as0{number}.example/EkranSystem",
    }
    if status is ServerStatus.ISOLATED:
        values["isolation"] = Isolation(since=SEEN, by="admin", reason="Updates")
    values.update(fields)
    return Server(**values)


def profile(**fields: Any) -> ConnectionProfile:
    values: dict[str, Any] = {
        "name": "Prod",
        "urls": ["https://mt.example/EkranSystem"],
        "username": "admin",
    }
    values.update(fields)
    return ConnectionProfile(**values)


def status(state: ConnectionState = ConnectionState.CONNECTED) -> MonitorStatus:
    return MonitorStatus(state, active_url="https://mt2.example/EkranSystem")
