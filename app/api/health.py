"""Reading a ``/healthcheck`` reply: the status code decides, the body only adds detail."""

from __future__ import annotations

import json

from pydantic import ValidationError

from app.api.models import HealthBody, HealthReport, HealthStatus
from app.api.replies import is_json_type


def health_report(url: str, http_status: int, media: str, body: bytes) -> HealthReport:
    """The report for a 2xx or 5xx health reply from the endpoint at ``url``.

    The body is used only when it is a JSON health object (or a bare status word as
    text); anything else (empty, problem+json, HTML from a proxy) leaves the status to
    the HTTP code: Healthy for 2xx, Unhealthy otherwise.
    """
    ok = 200 <= http_status < 300
    fallback = HealthStatus.HEALTHY if ok else HealthStatus.UNHEALTHY
    parsed = _health_body(media, body)
    if parsed is None:
        return HealthReport(url=url, http_status=http_status, status=fallback, ok=ok)
    return HealthReport(
        url=url,
        http_status=http_status,
        status=parsed.status,
        entries=parsed.entries,
        total_duration=parsed.total_duration,
        ok=ok,
    )


def _health_body(media: str, body: bytes) -> HealthBody | None:
    if media == "text/plain":
        status = HealthStatus.parse(body[:64].decode("utf-8", errors="replace"))
        return HealthBody(status=status) if status is not HealthStatus.UNKNOWN else None
    if not is_json_type(media) or media == "application/problem+json":
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        return None
    try:
        return HealthBody.model_validate(data)
    except ValidationError:
        return None
