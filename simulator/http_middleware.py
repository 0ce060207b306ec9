"""Middleware shared by the web applications: the request log, and 503 for stopped servers.

The Management Tool endpoints stack, outermost first: ``request_log_middleware``,
``problem_middleware``, ``fault_middleware`` (``simulator.http_faults``),
``stopped_server_middleware``. The control API uses only the first two.
"""

from __future__ import annotations

import datetime as dt
import time

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from simulator.http_problems import Problem
from simulator.request_log import RequestRecord
from simulator.state import ENDPOINT, STATE


def request_log_middleware(endpoint: str) -> Middleware:
    """Record every request answered by this app under ``endpoint`` (a server id or ``control``)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            request.app[STATE].requests.record(
                RequestRecord(
                    ts=dt.datetime.now(dt.UTC),
                    endpoint=endpoint,
                    method=request.method,
                    path=request.path,
                    status=status,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    authorization="Authorization" in request.headers,
                )
            )

    return middleware


@web.middleware
async def stopped_server_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 503 to everything while this endpoint's Application Server is not running."""
    server = request.app[STATE].cluster.server(request.app[ENDPOINT])
    if server.process != "running":
        raise Problem(
            503,
            f"Application Server {server.name} is {server.process}.",
            headers={"Retry-After": "5"},
        )
    return await handler(request)
