"""A scripted Management Tool on ``httpx.MockTransport`` for replies a real server cannot give."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

BASE = "https://mt01.corp.local/EkranSystem"
TOKEN = "tok-1-7f3e91c2"


def token_reply(token: str = TOKEN, **overrides: Any) -> httpx.Response:
    body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600, **overrides}
    return httpx.Response(200, json=body)


def server_json(**overrides: Any) -> dict[str, Any]:
    server: dict[str, Any] = {
        "id": "as-01",
        "name": "EKRAN-AS01",
        "address": "10.20.0.11",
        "status": "online",
        "clients": 57,
        "version": "9.2.4.1270",
        "isolation": None,
        "last_seen": "2025-03-12T10:15:01Z",
        "management_url": None,
    }
    server.update(overrides)
    return server


def cluster_reply(*servers: dict[str, Any], etag: str = '"v1"') -> httpx.Response:
    body = {
        "cluster": {"name": "EKRAN-PROD", "generated_at": "2025-03-12T10:15:02Z"},
        "servers": list(servers) or [server_json()],
    }
    return httpx.Response(200, json=body, headers={"ETag": etag})


class FakeTool:
    """Answers the token route with a token and other paths with ``routes[path]``.

    ``seen`` records (method, path, whether Authorization was present) per request.
    """

    def __init__(
        self,
        routes: dict[str, Callable[[httpx.Request], httpx.Response]] | None = None,
        *,
        token: Callable[[httpx.Request], httpx.Response] | None = None,
    ) -> None:
        self.routes = routes or {}
        self.token = token or (lambda _request: token_reply())
        self.seen: list[tuple[str, str, bool]] = []
        self.login_bodies: list[dict[str, Any]] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/EkranSystem")
        self.seen.append((request.method, path, "authorization" in request.headers))
        if path == "/api/v1/auth/token":
            self.login_bodies.append(json.loads(request.content))
            return self.token(request)
        handler = self.routes.get(path)
        if handler is None:
            return httpx.Response(404, json={"status": 404, "detail": "No such route."})
        return handler(request)
