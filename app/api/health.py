"""Reading a ``/healthcheck`` reply: the status code decides, the body only adds detail."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from app.api.models import HealthBody, HealthReport, HealthStatus
from app.api.replies import is_json_type


def health_report(
    url: str,
    http_status: int,
    media: str,
    body: bytes,
    *,
    document: Any = None,
    shown_body: str | None = None,
    response_ms: float | None = None,
) -> HealthReport:
    """The report for a 2xx or 5xx health reply from the endpoint at ``url``.

    The body is used only when it is a JSON health object (or a bare status word as
    text); anything else (empty, problem+json, HTML from a proxy) leaves the status to
    the HTTP code: Healthy for 2xx, Unhealthy otherwise. ``document`` is the body
    already parsed as JSON by the caller (None: parse it here); ``shown_body`` and
    ``response_ms`` fill the report's fields of those names.
    """
    ok = 200 <= http_status < 300
    fallback = HealthStatus.HEALTHY if ok else HealthStatus.UNHEALTHY
    parsed = _health_body(media, body, document)
    if parsed is None:
        return HealthReport(
            url=url,
            http_status=http_status,
            status=fallback,
            ok=ok,
            body=shown_body,
            response_ms=response_ms,
        )
    return HealthReport(
        url=url,
        http_status=http_status,
        status=parsed.status,
        entries=parsed.entries,
        total_duration=parsed.total_duration,
        ok=ok,
        body=shown_body,
        response_ms=response_ms,
    )


def _health_body(media: str, body: bytes, document: Any = None) -> HealthBody | None:
    if media == "text/plain":
        status = HealthStatus.parse(body[:64].decode("utf-8", errors="replace"))
        return HealthBody(status=status) if status is not HealthStatus.UNKNOWN else None
    if not is_json_type(media) or media == "application/problem+json":
        return None
    data = document
    if data is None:
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
