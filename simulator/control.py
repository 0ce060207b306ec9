"""The control API: drive the simulated cluster from tests and demos.

Served on its own port, never through the fault middleware, and only to callers that
send ``X-Sim-Token: <control_token>`` (else 401). Routes are documented in
``docs/simulator.md``.
"""

from __future__ import annotations

import hmac
import math
from datetime import date
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from simulator.cluster import ClusterError, SimServer
from simulator.faults import FaultError, parse_fault
from simulator.health import health_status
from simulator.http_cluster import cluster_problem, isolation_json
from simulator.http_json import MAX_REQUEST_BODY, json_response, read_json_object
from simulator.http_middleware import request_log_middleware
from simulator.http_problems import Problem, problem_middleware
from simulator.state import STATE, SimulatorState
from simulator.timefmt import rfc3339

TOKEN_HEADER = "X-Sim-Token"
MAX_ADVANCE_S = 24 * 3600.0


def build_control_app(state: SimulatorState) -> web.Application:
    """The control API application over ``state``."""
    app = web.Application(
        middlewares=[request_log_middleware("control"), problem_middleware, _token_middleware],
        client_max_size=MAX_REQUEST_BODY,
    )
    app[STATE] = state
    router = app.router
    router.add_get("/state", get_state, allow_head=False)
    router.add_post("/servers/{id}/stop", post_stop)
    router.add_post("/servers/{id}/start", post_start)
    router.add_post("/servers/{id}/rename", post_rename)
    router.add_post("/advance", post_advance)
    router.add_get("/faults", get_faults, allow_head=False)
    router.add_post("/faults", post_fault)
    router.add_delete("/faults", delete_faults)
    router.add_get("/requests", get_requests, allow_head=False)
    router.add_post("/reset", post_reset)
    router.add_post("/shutdown", post_shutdown)
    return app


def state_json(state: SimulatorState) -> dict[str, Any]:
    """The body of ``GET /state``."""
    cluster = state.cluster
    return {
        "now": rfc3339(cluster.now),
        "revision": cluster.revision,
        "population": cluster.population,
        "connected": cluster.connected,
        "pending": cluster.pending,
        "servers": [server_state_json(server) for server in cluster.servers],
    }


def server_state_json(server: SimServer) -> dict[str, Any]:
    """One server as the control API shows it (process and health included)."""
    return {
        "id": server.id,
        "name": server.name,
        "status": server.status,
        "process": server.process,
        "clients": server.clients,
        "isolation": isolation_json(server.isolation),
        "health": health_status(server),
        "version": server.version,
    }


async def get_state(request: web.Request) -> web.Response:
    return json_response(state_json(request.app[STATE]))


async def post_stop(request: web.Request) -> web.Response:
    """Stop a server's process (``stopping``, then ``stopped``); 404 unknown, 409 not running."""
    cluster = request.app[STATE].cluster
    try:
        server = cluster.stop_server(request.match_info["id"])
    except ClusterError as exc:
        raise cluster_problem(exc) from None
    return json_response(server_state_json(server))


async def post_start(request: web.Request) -> web.Response:
    """Start a server's process (``starting``, then ``running``); 404 unknown, 409 not stopped.

    An optional body ``{"version", "build", "released"}`` starts it on another version.
    """
    cluster = request.app[STATE].cluster
    upgrade = await _start_body(request)
    try:
        server = cluster.start_server(request.match_info["id"], **upgrade)
    except ClusterError as exc:
        raise cluster_problem(exc) from None
    return json_response(server_state_json(server))


async def post_reset(request: web.Request) -> web.Response:
    """Return to the state of a run that has just started (``SimulatorState.reset``);
    answers the new state. The ports, the certificates and the logins stay the same.

    An optional body ``{"<run setting>": value, ...}`` (names from ``RUN_SETTINGS``:
    ``clients``, ``seed``, ``time_scale``...) starts the new run with those settings; the
    others keep their current values. 400 for any other name or a value out of range,
    and nothing changes then.
    """
    state = request.app[STATE]
    options = None
    if request.can_read_body:
        body = await read_json_object(request)
        try:
            options = state.options.with_run_settings(body)
            options.cluster_config()  # the cluster model's own checks (ValueError)
        except ValueError as exc:
            raise Problem(400, f"Invalid run settings: {exc}") from None
    state.reset(options)
    return json_response(state_json(state))


async def post_shutdown(request: web.Request) -> web.Response:
    """End the run as SIGTERM would: 202, then every site closes and the process exits 0.

    A way to stop a simulator without a signal: on Windows the only one is a console
    control event, which needs a console shared with the sender.
    """
    request.app[STATE].shutdown_requested.set()
    return json_response({"stopping": True}, status=202)


async def post_rename(request: web.Request) -> web.Response:
    """Set ``{"name": text, "version": text?}`` of a server, any characters; 404 unknown id."""
    body = await read_json_object(request)
    name, version = body.get("name"), body.get("version")
    if not isinstance(name, str) or not (version is None or isinstance(version, str)):
        raise Problem(400, '"name" (and "version", if given) must be strings.')
    try:
        server = request.app[STATE].cluster.rename_server(request.match_info["id"], name, version)
    except ClusterError as exc:
        raise cluster_problem(exc) from None
    return json_response(server_state_json(server))


async def _start_body(request: web.Request) -> dict[str, str]:
    """The optional upgrade fields of a start request; ``Problem`` 400 when malformed."""
    if not request.can_read_body:
        return {}
    body = await read_json_object(request)
    fields: dict[str, str] = {}
    for key in ("version", "build", "released"):
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise Problem(400, f'"{key}" must be a non-empty text of at most 64 characters.')
        fields[key] = value.strip()
    if "released" in fields:
        try:
            date.fromisoformat(fields["released"])
        except ValueError:
            raise Problem(400, '"released" must be a date like 2026-12-01.') from None
    if fields and "version" not in fields:
        raise Problem(400, '"build" and "released" need a "version".')
    return fields


async def post_advance(request: web.Request) -> web.Response:
    """Advance simulated time by ``{"seconds": s}`` at once; answers the new state."""
    body = await read_json_object(request)
    seconds = body.get("seconds")
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or not 0 <= seconds <= MAX_ADVANCE_S
    ):
        raise Problem(400, f'"seconds" must be a number between 0 and {MAX_ADVANCE_S:g}.')
    state = request.app[STATE]
    state.cluster.advance(float(seconds))
    return json_response(state_json(state))


async def get_faults(request: web.Request) -> web.Response:
    """The active request faults with their remaining uses."""
    return json_response(request.app[STATE].faults.listing())


async def post_fault(request: web.Request) -> web.Response:
    """Add a fault; 201 ``{"id", ...fault}``, 400 invalid, 404 unknown ``server_id``."""
    state = request.app[STATE]
    try:
        fault = parse_fault(await read_json_object(request))
    except FaultError as exc:
        raise Problem(400, str(exc)) from None
    try:
        if fault.server_id is not None:
            state.cluster.server(fault.server_id)
        if fault.kind == "health" and fault.server_id is not None:
            state.cluster.set_health(fault.server_id, fault.params["status"])
    except ClusterError as exc:
        raise cluster_problem(exc) from None
    if fault.kind == "expire_tokens":
        state.tokens.revoke_all()
    if fault.kind in ("health", "expire_tokens"):
        fault_id = state.faults.new_id()
    else:
        fault_id = state.faults.add(fault)
    return json_response({"id": fault_id, **fault.to_json()}, status=201)


async def delete_faults(request: web.Request) -> web.Response:
    """Clear every fault and health override; 204."""
    state = request.app[STATE]
    state.faults.clear()
    state.cluster.clear_health_overrides()
    return web.Response(status=204)


async def get_requests(request: web.Request) -> web.Response:
    """Recent Management Tool requests, oldest first: ``?server_id=`` and ``?limit=`` filter."""
    server_id = request.query.get("server_id") or None
    limit_text = request.query.get("limit")
    limit = None
    if limit_text:
        if not limit_text.isdigit():
            raise Problem(400, '"limit" must be a non-negative integer.')
        limit = int(limit_text)
    records = request.app[STATE].requests.recent(server_id=server_id, limit=limit)
    return json_response([record.history_entry() for record in records])


@web.middleware
async def _token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    expected = request.app[STATE].control_token.encode()
    given = request.headers.get(TOKEN_HEADER, "").encode()
    if not hmac.compare_digest(given, expected):
        raise Problem(401, f"The control API needs the {TOKEN_HEADER} header of this run.")
    return await handler(request)
