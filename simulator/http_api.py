"""The Management Tool web application of one simulated Application Server.

Every endpoint serves the same ``SimulatorState`` (the shared cluster database); what
differs is which server's process decides whether the endpoint answers at all.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from simulator.http_auth import post_token
from simulator.http_cluster import get_cluster, get_version, post_isolation
from simulator.http_faults import fault_middleware
from simulator.http_health import get_healthcheck
from simulator.http_json import MAX_REQUEST_BODY
from simulator.http_logs import LOGS_ROUTE, get_logs
from simulator.http_middleware import request_log_middleware, stopped_server_middleware
from simulator.http_problems import Problem, problem_middleware
from simulator.openapi import openapi_document_path
from simulator.state import ENDPOINT, STATE, SimulatorState

BASE_PATH = "/EkranSystem"
SERVER = BASE_PATH + "/api/v1/cluster/servers/{id}"


def build_management_app(state: SimulatorState, server_id: str) -> web.Application:
    """The Management Tool of ``server_id``: every v1 route, under ``/EkranSystem``."""
    app = web.Application(
        middlewares=[
            request_log_middleware(server_id),
            problem_middleware,
            fault_middleware,
            stopped_server_middleware,
        ],
        client_max_size=MAX_REQUEST_BODY,
    )
    app[STATE] = state
    app[ENDPOINT] = server_id
    router = app.router
    router.add_get(BASE_PATH + "/healthcheck", get_healthcheck, allow_head=False)
    router.add_post(BASE_PATH + "/api/v1/auth/token", post_token)
    router.add_get(BASE_PATH + "/api/v1/cluster", get_cluster, allow_head=False)
    router.add_post(SERVER + "/isolation", post_isolation)
    router.add_get(SERVER + "/version", get_version, allow_head=False)
    router.add_get(SERVER + "/logs", get_logs, name=LOGS_ROUTE, allow_head=False)
    router.add_get(BASE_PATH + "/openapi.yaml", get_openapi, allow_head=False)
    return app


def management_routes(app: web.Application) -> set[tuple[str, str]]:
    """``(METHOD, path relative to /EkranSystem)`` of every route ``app`` serves."""
    routes: set[tuple[str, str]] = set()
    for route in app.router.routes():
        resource = route.resource
        if resource is None or not resource.canonical.startswith(BASE_PATH + "/"):
            continue
        routes.add((route.method, resource.canonical.removeprefix(BASE_PATH)))
    return routes


async def get_openapi(request: web.Request) -> web.Response:
    """``GET /openapi.yaml``: ``docs/openapi.yaml`` as ``application/yaml``."""
    path = openapi_document_path()
    try:
        text = await asyncio.get_running_loop().run_in_executor(None, path.read_bytes)
    except OSError:
        raise Problem(404, "This Management Tool has no OpenAPI description to serve.") from None
    return web.Response(body=text, content_type="application/yaml", charset="utf-8")
