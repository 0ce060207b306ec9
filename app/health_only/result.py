"""One server's healthcheck as last read: online, offline or unreachable, and why."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from app.api.errors import ConsoleError, TlsError, UnreachableError
from app.api.models import HealthReport
from app.health_only.body import BodyText


class HealthState(StrEnum):
    """What a healthcheck said: the HTTP status decides, never the body."""

    ONLINE = "online"  # 2xx
    OFFLINE = "offline"  # an HTTP answer that is not 2xx (5xx: something is wrong)
    UNREACHABLE = "unreachable"  # no HTTP answer: refused, timed out, name not found, TLS


@functools.lru_cache(maxsize=4096)  # asked for every server in every round
def server_name(url: str) -> str:
    """The host of a Management Tool URL, with its port when it is not the default."""
    parts = urlsplit(url)
    host = parts.hostname or url
    default = 443 if parts.scheme == "https" else 80
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def unreachable_reason(error: ConsoleError) -> str:
    """A stable word for why there was no HTTP answer: ``refused``, ``timeout``, ``dns``,
    ``tls``, ``connection_lost``, ``proxy``, ``protocol`` or ``other``."""
    if isinstance(error, TlsError):
        return "tls"
    if isinstance(error, UnreachableError):
        return error.reason.value
    return "protocol"


@dataclass(frozen=True)
class ProbeResult:
    """One healthcheck of one URL.

        ``http_status`` is None when there was no HTTP answer (then ``reason`` says why and
        ``error`` is the typed error, e.g. a ``TlsError`` with the certificate). ``since`` is
        when the server entered ``state`` (the first check that saw it, while this console
        watched). ``detail`` is one line for a person; ``body`` the reply's text, reduced and
        made safe; ``version`` only when the body states one; ``report`` the same answer as a
    ``HealthReport`` (None without an HTTP answer).
    """

    url: str
    state: HealthState
    checked_at: datetime
    since: datetime
    detail: str
    http_status: int | None = None
    response_ms: float | None = None
    reason: str | None = None
    body: BodyText | None = None
    version: str | None = None
    error: ConsoleError | None = None
    report: HealthReport | None = None

    @property
    def name(self) -> str:
        return server_name(self.url)

    def to_json(self) -> dict[str, Any]:
        """The object ``servers --json`` prints for this server."""
        document: dict[str, Any] = {
            "url": self.url,
            "name": self.name,
            "status": self.state.value,
            "http_status": self.http_status,
            "response_ms": None if self.response_ms is None else round(self.response_ms, 1),
            "checked_at": self.checked_at.isoformat(),
            "since": self.since.isoformat(),
            "detail": self.detail,
            "reason": self.reason,
            "version": self.version,
        }
        if isinstance(self.error, TlsError):
            document["tls_error"] = self.error.kind.value
            if self.error.certificate is not None:
                document["certificate_sha256"] = self.error.certificate.sha256
        return document
