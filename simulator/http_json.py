"""Reading and writing JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from simulator.http_problems import Problem

MAX_REQUEST_BODY = 64 * 1024


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object; ``Problem`` 400 when it is not one."""
    if request.content_length is not None and request.content_length > MAX_REQUEST_BODY:
        raise Problem(413, "The request body is too large.")
    raw = await request.content.read(MAX_REQUEST_BODY + 1)
    if len(raw) > MAX_REQUEST_BODY:
        raise Problem(413, "The request body is too large.")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Problem(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Problem(400, "The request body must be a JSON object.")
    return body


def json_response(
    body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """``application/json`` with a compact UTF-8 body."""
    return web.Response(
        status=status,
        body=json.dumps(body, separators=(",", ":")).encode(),
        content_type="application/json",
        headers=headers,
    )
