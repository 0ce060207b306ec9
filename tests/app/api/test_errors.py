"""Error texts: one actionable line for people, no secrets anywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.api.errors import (
    AuthenticationError,
    AuthErrorKind,
    ConflictError,
    ConsoleError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerUnavailableError,
)
from app.api.models import Problem
from app.api.replies import retry_after
from app.api.status_errors import error_for_status
from app.api.text import body_excerpt, one_line

URL = "https://mt01.corp.local/EkranSystem/api/v1/cluster"


def test_str_is_the_message_and_repr_has_no_detail() -> None:
    error = ConsoleError("Cannot reach mt01.", detail="ConnectError: token=abc", url=URL)
    assert str(error) == "Cannot reach mt01."
    assert "token=abc" not in repr(error)
    assert URL in repr(error)


@pytest.mark.parametrize(
    ("status", "login", "kind"),
    [
        (401, True, AuthenticationError),
        (401, False, AuthenticationError),
        (403, False, AuthenticationError),
        (404, False, NotFoundError),
        (409, False, ConflictError),
        (429, True, RateLimitedError),
        (500, False, ServerUnavailableError),
        (503, False, ServerUnavailableError),
        (400, False, ProtocolError),
        (418, False, ProtocolError),
    ],
)
def test_status_codes_map_to_typed_errors(status: int, login: bool, kind: type) -> None:
    error = error_for_status(status, url=URL, problem=None, excerpt=None, retry_after=None,
                             login=login)  # fmt: skip
    assert type(error) is kind
    assert error.message
    assert "\n" not in error.message


def test_401_kinds_depend_on_the_route() -> None:
    login = error_for_status(401, url=URL, problem=None, excerpt=None, retry_after=None, login=True)
    api = error_for_status(401, url=URL, problem=None, excerpt=None, retry_after=None)
    forbidden = error_for_status(403, url=URL, problem=None, excerpt=None, retry_after=None)
    assert isinstance(login, AuthenticationError)
    assert isinstance(api, AuthenticationError)
    assert isinstance(forbidden, AuthenticationError)
    assert login.kind is AuthErrorKind.BAD_CREDENTIALS
    assert api.kind is AuthErrorKind.EXPIRED
    assert forbidden.kind is AuthErrorKind.FORBIDDEN


def test_conflict_carries_the_servers_detail_on_one_line() -> None:
    problem = Problem(status=409, detail="Isolating EKRAN-AS04 would leave\nno server.\x1b[31m")
    error = error_for_status(409, url=URL, problem=problem, excerpt=None, retry_after=None)
    assert isinstance(error, ConflictError)
    assert error.server_detail == "Isolating EKRAN-AS04 would leave no server.[31m"
    assert error.message == error.server_detail


def test_rate_limit_message_says_how_long_to_wait() -> None:
    error = error_for_status(429, url=URL, problem=None, excerpt=None, retry_after=30.0)
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 30.0
    assert "30 seconds" in error.message


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2025, 3, 12, 10, 0, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")

    def response(value: str) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": value})

    assert retry_after(response("7"), now=now) == 7.0
    assert retry_after(response(later), now=now) == 90.0
    assert retry_after(response("yesterday-ish"), now=now) is None
    assert retry_after(httpx.Response(503), now=now) is None


def test_excerpts_are_short_single_line_and_redacted() -> None:
    body = (
        b'{"access_token": "eyJhbGciOi.secret", "password":"hunter2",\n'
        b'"note": "Authorization: Bearer abc.def.ghi"}' + b"x" * 5000
    )
    excerpt = body_excerpt(body)
    assert len(excerpt) <= 200
    assert "\n" not in excerpt
    for secret in ("eyJhbGciOi", "hunter2", "abc.def.ghi"):
        assert secret not in excerpt


def test_a_token_cut_by_the_excerpt_limit_is_still_redacted() -> None:
    assert "partialsecret" not in body_excerpt(b'{"access_token": "partialsecret')


def test_one_line_strips_controls_and_cuts() -> None:
    assert one_line("a\r\nb\t c\x00\u202e", limit=100) == "a b c"
    assert one_line("x" * 10, limit=5) == "xxxx…"
