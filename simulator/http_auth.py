"""The token route and the bearer-token check of the ``/api/v1`` routes."""

from __future__ import annotations

from aiohttp import web

from simulator.auth import Principal, account_permissions
from simulator.http_json import json_response, read_json_object
from simulator.http_problems import Problem
from simulator.state import STATE

_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="EkranSystem", error="invalid_token"'}


async def post_token(request: web.Request) -> web.Response:
    """``POST /api/v1/auth/token``: 200 token, 400 bad body, 401 bad login, 429 locked out."""
    state = request.app[STATE]
    body = await read_json_object(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Problem(400, 'The body needs string "username" and "password" members.')
    wait = state.throttle.retry_after(username)
    if wait is not None:
        raise Problem(
            429,
            f"Too many failed logins for this account; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    account = state.accounts.check(username, password)
    if account is None:
        state.throttle.record_failure(username)
        raise Problem(401, "The user name or password is wrong.")
    state.throttle.record_success(username)
    issued = state.tokens.issue(account)
    return json_response(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "permissions": list(account_permissions(account)),
        },
        headers={"Cache-Control": "no-store"},
    )


def require_principal(request: web.Request) -> Principal:
    """Who sent this request, from its bearer token; ``Problem`` 401 when there is none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    principal = None
    if scheme.lower() == "bearer" and token.strip():
        principal = request.app[STATE].tokens.principal(token.strip())
    if principal is None:
        raise Problem(
            401,
            "The access token is missing, invalid or expired; request a new one.",
            headers=_BEARER_CHALLENGE,
        )
    return principal
