"""``GET /healthcheck``: the health of the Application Server behind this endpoint."""

from __future__ import annotations

from aiohttp import web

from simulator.health import UNHEALTHY, health_report, health_status
from simulator.http_json import json_response
from simulator.state import ENDPOINT, STATE


async def get_healthcheck(request: web.Request) -> web.Response:
    """200 ``Healthy``/``Degraded``, 503 ``Unhealthy``.

    With ``?debug=True`` (any case) the body is the JSON report; without it, the bare
    status word as ``text/plain``. A stopped server never gets here: the endpoint
    middleware answers 503 first.
    """
    server = request.app[STATE].cluster.server(request.app[ENDPOINT])
    status = health_status(server) or UNHEALTHY
    code = 503 if status == UNHEALTHY else 200
    headers = {"Cache-Control": "no-store"}
    if request.query.get("debug", "").lower() == "true":
        return json_response(health_report(server), status=code, headers=headers)
    return web.Response(status=code, text=status, content_type="text/plain", headers=headers)
