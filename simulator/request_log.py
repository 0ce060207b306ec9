"""The structured request log: one JSON line per request on stderr, and a recent-history ring.

Entries hold the method, path (without query string), status and whether an
``Authorization`` header was present; never a header value, body or password.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import deque
from dataclasses import dataclass
from typing import Any, TextIO

HISTORY_SIZE = 1000


@dataclass(frozen=True)
class RequestRecord:
    """One answered request. ``endpoint`` is a server id, or ``"control"``."""

    ts: dt.datetime
    endpoint: str
    method: str
    path: str
    status: int
    duration_ms: float
    authorization: bool

    @property
    def server_id(self) -> str | None:
        return None if self.endpoint == "control" else self.endpoint

    def log_line(self) -> dict[str, Any]:
        return {
            "ts": self.ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "endpoint": self.endpoint,
            "server_id": self.server_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 1),
        }

    def history_entry(self) -> dict[str, Any]:
        return {
            "server_id": self.server_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "authorization": self.authorization,
        }


class RequestLog:
    """Writes each record to ``stream`` and keeps the last Management Tool requests."""

    def __init__(self, stream: TextIO | None = None, *, size: int = HISTORY_SIZE) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._history: deque[RequestRecord] = deque(maxlen=size)

    def record(self, record: RequestRecord) -> None:
        """Log ``record``; Management Tool requests (not control calls) also enter the ring."""
        if record.server_id is not None:
            self._history.append(record)
        try:
            self._stream.write(json.dumps(record.log_line()) + "\n")
            self._stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not fail the request

    def forget(self) -> None:
        """Forget the remembered requests (the log written to the stream stays)."""
        self._history.clear()

    def recent(
        self, *, server_id: str | None = None, limit: int | None = None
    ) -> list[RequestRecord]:
        """The remembered requests, oldest first, optionally for one endpoint and capped."""
        records = [r for r in self._history if server_id is None or r.server_id == server_id]
        if limit is not None:
            records = records[-limit:] if limit > 0 else []
        return records
