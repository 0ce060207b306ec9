"""Telling a deployment without the console's API from a broken API connection.

A real Ekran System deployment answers its healthcheck but has no ``/api/v1`` (the
contract in ``docs/management-api.md``): an API call there gets IIS's 404 page or some
other HTML. ``health_only_deployment`` recognises that case, so the window can offer to
keep the connection as a health-only one and the command line can name
``--health-only``.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.api.errors import ConsoleError, NotFoundError, ProtocolError
from app.api.models import HealthReport
from app.monitor.monitor import ClusterSource


@dataclass(frozen=True)
class HealthOnlyDeployment:
    """``url`` answered its healthcheck (HTTP ``health_status``) but not the API."""

    url: str
    health_status: int

    def explanation(self) -> str:
        return (
            f"{self.url} answers its healthcheck (HTTP {self.health_status}) but has no "
            "/api/v1: it is an Ekran System deployment without the console's API "
            "(see docs/management-api.md), which a health-only connection can still watch."
        )


def lacks_api(error: BaseException) -> bool:
    """Whether ``error`` is what an API call gets where there is no API: a 404, or a
    reply that is not JSON (an HTML page)."""
    if isinstance(error, NotFoundError):
        return True
    return isinstance(error, ProtocolError) and (error.status or 0) in (200, 404)


async def health_only_deployment(
    source: ClusterSource, error: BaseException, url: str | None = None
) -> HealthOnlyDeployment | None:
    """The deployment ``error`` came from, when it answers its healthcheck but lacks the
    API; None otherwise (including when the healthcheck cannot be read either)."""
    if not lacks_api(error):
        return None
    target = url or (error.url if isinstance(error, ConsoleError) else None) or source.active_url
    base = _base_of(target, source.active_url)
    try:
        report: HealthReport = await source.health(base)
    except ConsoleError:
        return None
    return HealthOnlyDeployment(base, report.http_status)


def _base_of(url: str, fallback: str) -> str:
    """The Management Tool base URL of a request URL (the part before ``/api/``)."""
    head, found, _ = url.partition("/api/")
    return head if found else (url or fallback)
