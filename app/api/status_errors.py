"""Which typed error an unsuccessful HTTP status means, with a message a person can act on."""

from __future__ import annotations

from urllib.parse import urlsplit

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
from app.api.text import one_line
from app.logsetup import redact


def error_for_status(
    status: int,
    *,
    url: str,
    problem: Problem | None,
    excerpt: str | None,
    retry_after: float | None,
    login: bool = False,
) -> ConsoleError:
    """The error for an HTTP ``status`` >= 400 from ``url``.

    ``login`` tells that the token route answered (a 401 there means a wrong password,
    elsewhere an invalid token). The server's ``detail``, if any, is shown sanitized.
    """
    host = urlsplit(url).netloc or url
    said = redact(one_line(problem.detail)) if problem and problem.detail else None
    detail = f"HTTP {status}" + (f": {said}" if said else "")
    if status == 401:
        if login:
            return AuthenticationError(
                "The user name or password is wrong.",
                kind=AuthErrorKind.BAD_CREDENTIALS,
                detail=detail,
                url=url,
            )
        return AuthenticationError(
            "The Management Tool did not accept the session; sign in again.",
            kind=AuthErrorKind.EXPIRED,
            detail=detail,
            url=url,
        )
    if status == 403:
        return AuthenticationError(
            "Your account is not allowed to do this; ask for the permission to manage "
            "Application Servers.",
            kind=AuthErrorKind.FORBIDDEN,
            detail=detail,
            url=url,
        )
    if status == 404:
        return NotFoundError(
            said or f"Not found on {host}: check that the URL is the Management Tool's.",
            detail=detail,
            url=url,
        )
    if status == 409:
        return ConflictError(
            said or "This is not possible in the cluster's current state.",
            server_detail=said,
            detail=detail,
            url=url,
        )
    if status == 429:
        return RateLimitedError(
            _with_wait("Too many requests or sign-in attempts", said, retry_after),
            retry_after=retry_after,
            detail=detail,
            url=url,
        )
    if status >= 500:
        return ServerUnavailableError(
            _with_wait(f"{host} is not serving right now (HTTP {status})", said, retry_after),
            status=status,
            retry_after=retry_after,
            detail=detail,
            url=url,
        )
    return ProtocolError(
        f"The Management Tool refused the request (HTTP {status})" + (f": {said}" if said else "."),
        status=status,
        excerpt=excerpt,
        detail=detail,
        url=url,
    )


def _with_wait(summary: str, said: str | None, retry_after: float | None) -> str:
    text = summary + (f": {said}" if said else "")
    text = text.rstrip(".") + "."
    if retry_after is not None and "try again" not in (said or "").casefold():
        # the server's own words may say it already ("try again in 60 seconds")
        text += f" Try again in {_duration(retry_after)}."
    return text


def _duration(seconds: float) -> str:
    whole = max(1, round(seconds))
    if whole < 120:
        return f"{whole} second" + ("s" if whole != 1 else "")
    return f"{round(whole / 60)} minutes"
