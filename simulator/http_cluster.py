"""Cluster routes: the snapshot (with ETag), isolation, and the live version of a server."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aiohttp import web

from simulator.cluster import Cluster, ClusterError, Isolation, SimServer
from simulator.http_auth import require_principal
from simulator.http_json import json_response, read_json_object
from simulator.http_problems import Problem
from simulator.state import STATE
from simulator.timefmt import full_date, rfc3339

MAX_REASON_LENGTH = 500


def isolation_json(isolation: Isolation | None) -> dict[str, Any] | None:
    """The ``isolation`` member of a Server: ``since``, ``by``, ``reason``, or ``null``."""
    if isolation is None:
        return None
    return {"since": rfc3339(isolation.since), "by": isolation.by, "reason": isolation.reason}


def server_json(server: SimServer, management_url: str | None) -> dict[str, Any]:
    """A Server object of the v1 contract."""
    return {
        "id": server.id,
        "name": server.name,
        "address": server.address,
        "status": server.status,
        "clients": server.clients,
        "version": server.version,
        "isolation": isolation_json(server.isolation),
        "last_seen": rfc3339(server.last_seen),
        "management_url": management_url,
    }


def cluster_etag(name: str, servers: list[dict[str, Any]]) -> str:
    """A strong ETag over the cluster name and the served Server objects (not ``generated_at``)."""
    canonical = json.dumps({"name": name, "servers": servers}, sort_keys=True).encode()
    return '"' + hashlib.sha256(canonical).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of ``etag`` with an ``If-None-Match`` header value (RFC 9110 13.1.2)."""
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


async def get_cluster(request: web.Request) -> web.Response:
    """``GET /api/v1/cluster``: 200 snapshot with ETag, 304 when ``If-None-Match`` matches."""
    require_principal(request)
    state = request.app[STATE]
    cluster = state.cluster
    servers = [server_json(s, state.endpoint_urls.get(s.id)) for s in cluster.servers]
    etag = cluster_etag(cluster.config.name, servers)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        return web.Response(status=304, headers=headers)
    body = {
        "cluster": {"name": cluster.config.name, "generated_at": rfc3339(cluster.now)},
        "servers": servers,
    }
    return json_response(body, headers=headers)


async def post_isolation(request: web.Request) -> web.Response:
    """``POST /api/v1/cluster/servers/{id}/isolation``: isolate or return a server."""
    principal = require_principal(request)
    if not principal.can_change:
        raise Problem(403, f"The account {principal.username} may not change isolation.")
    body = await read_json_object(request)
    isolated, reason, force = _isolation_request(body)
    state = request.app[STATE]
    server_id = request.match_info["id"]
    try:
        server = state.cluster.set_isolation(
            server_id, isolated=isolated, reason=reason, by=principal.username, force=force
        )
    except ClusterError as exc:
        raise cluster_problem(exc) from None
    return json_response(server_json(server, state.endpoint_urls.get(server.id)))


async def get_version(request: web.Request) -> web.Response:
    """``GET /api/v1/cluster/servers/{id}/version``: 503 unless that server is running."""
    require_principal(request)
    server = find_server(request.app[STATE].cluster, request.match_info["id"])
    if server.process != "running":
        raise Problem(
            503,
            f"Application Server {server.name} is {server.status} and cannot be asked.",
            headers={"Retry-After": "5"},
        )
    return json_response(
        {"version": server.version, "build": server.build, "released": full_date(server.released)}
    )


def find_server(cluster: Cluster, server_id: str) -> SimServer:
    """The server with ``server_id``; ``Problem`` 404 when there is none."""
    try:
        return cluster.server(server_id)
    except ClusterError as exc:
        raise cluster_problem(exc) from None


def _isolation_request(body: dict[str, Any]) -> tuple[bool, str | None, bool]:
    isolated = body.get("isolated")
    reason = body.get("reason")
    force = body.get("force", False)
    if not isinstance(isolated, bool):
        raise Problem(400, 'The body needs a boolean "isolated" member.')
    if reason is not None and not isinstance(reason, str):
        raise Problem(400, '"reason" must be a string or null.')
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise Problem(400, f'"reason" must be at most {MAX_REASON_LENGTH} characters.')
    if not isinstance(force, bool):
        raise Problem(400, '"force" must be true or false.')
    return isolated, reason, force


def cluster_problem(exc: ClusterError) -> Problem:
    """The problem+json answer for an operation the cluster refused."""
    return Problem(exc.status, exc.detail, title=exc.title)
