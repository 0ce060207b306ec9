"""RFC 9457 problem details: the only shape of an error body the simulator sends."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus

from aiohttp import web
from aiohttp.typedefs import Handler

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise from a handler to answer ``status`` with a problem+json body.

    ``detail`` is one sentence for a human; it never holds a secret.
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or reason_phrase(status)
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        return problem_response(self.status, self.detail, title=self.title, headers=self.headers)


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status`` (``"Error"`` when unknown)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status: int, detail: str, *, title: str | None = None) -> dict[str, object]:
    return {
        "type": "about:blank",
        "title": title or reason_phrase(status),
        "status": status,
        "detail": detail,
    }


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A ready ``web.Response`` with a problem+json body."""
    response = web.Response(
        status=status,
        body=json.dumps(problem_body(status, detail, title=title), separators=(",", ":")).encode(),
        content_type=PROBLEM_JSON,
        headers=headers,
    )
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn ``Problem`` and aiohttp's own HTTP errors (404, 405, 413...) into problem+json."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {k: v for k, v in exc.headers.items() if k.lower() in _KEPT_HEADERS}
        return problem_response(exc.status, _detail_for(exc), headers=headers)


_KEPT_HEADERS = frozenset({"allow", "retry-after", "www-authenticate", "content-range"})


def _detail_for(exc: web.HTTPException) -> str:
    if exc.status == 404:
        return "There is nothing at this address."
    if exc.status == 405:
        return "This method is not allowed at this address."
    return exc.reason
