"""The bearer token of one ``ManagementClient`` and the rules for getting one.

- Concurrent calls that need a token share one login.
- A login the server refused (401: wrong user name or password) is not repeated on
  its own; only an explicit ``login(..., explicit=True)`` tries again.
- After a 429 no login is attempted before its ``Retry-After`` has passed.
- A token is renewed shortly before ``expires_in`` runs out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from pydantic import SecretStr

from app.api.errors import (
    AuthenticationError,
    AuthErrorKind,
    ConsoleError,
    ProtocolError,
    RateLimitedError,
)
from app.api.exchange import Exchanger
from app.api.models import TokenGrant
from app.api.replies import (
    decode_json,
    media_type,
    parse_model,
    parse_problem,
    read_bounded,
    retry_after,
)
from app.api.status_errors import error_for_status
from app.api.text import body_excerpt
from app.logsetup import redact, register_secret

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/v1/auth/token"
RENEW_MARGIN_S = 30.0

PasswordSource = Callable[[], Awaitable[str]]


class Session:
    """Holds at most one token; the password is fetched per login and never kept."""

    def __init__(
        self,
        exchanger: Exchanger,
        username: str,
        password: PasswordSource,
        *,
        max_json_bytes: int,
    ) -> None:
        self._exchanger = exchanger
        self._username = username
        self._password = password
        self._max_json_bytes = max_json_bytes
        self._token: SecretStr | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()
        self._blocked_until = 0.0
        self._credentials_rejected = False
        self.permissions: frozenset[str] | None = None
        """What the last login's token reply said the account may do (None: not said)."""

    def __repr__(self) -> str:
        return f"Session(username={self._username!r}, has_token={self.token is not None})"

    @property
    def token(self) -> SecretStr | None:
        """The current token, or None when there is none or it is about to expire."""
        if self._token is not None and time.monotonic() < self._renew_at:
            return self._token
        return None

    def discard(self, stale: SecretStr) -> None:
        """Forget ``stale`` after a 401, unless another call already replaced it."""
        if self._token is stale:
            self._token = None

    def forget(self) -> None:
        self._token = None

    async def token_for(self, base: str) -> SecretStr:
        """A valid token, logging in at ``base`` if needed (once for all waiting calls).

        Raises ``AuthenticationError(BAD_CREDENTIALS)`` without contacting the server
        when the last login with these credentials was refused.
        """
        token = self.token
        if token is not None:
            return token
        async with self._lock:
            token = self.token
            if token is not None:
                return token
            if self._credentials_rejected:
                raise AuthenticationError(
                    "The user name or password is wrong; enter them again.",
                    kind=AuthErrorKind.BAD_CREDENTIALS,
                    detail="not sent: the last login with these credentials was refused",
                    url=base,
                )
            return await self._login(base)

    async def login(self, base: str) -> SecretStr:
        """Log in at ``base`` now, even after a refused login (the user asked for it)."""
        async with self._lock:
            self._credentials_rejected = False
            return await self._login(base)

    async def _obtain_password(self, url: str) -> str:
        """Await the password source; its failure is an authentication error (pause, ask)."""
        try:
            password = await self._password()
        except ConsoleError:
            raise
        except Exception as exc:  # a keyring failure, no terminal to prompt on, ...
            raise AuthenticationError(
                redact(str(exc)) or "No password is available for this connection.",
                kind=AuthErrorKind.NO_PASSWORD,
                detail=f"password source failed: {type(exc).__name__}",
                url=url,
            ) from None
        register_secret(password)
        return password

    async def _login(self, base: str) -> SecretStr:
        url = base + TOKEN_PATH
        wait = self._blocked_until - time.monotonic()
        if wait > 0:
            raise RateLimitedError(
                f"Sign-in is locked for this account; try again in {max(1, round(wait))} s.",
                retry_after=wait,
                detail="not sent: the server's Retry-After has not passed",
                url=url,
            )
        password = await self._obtain_password(url)
        response = await self._exchanger.send(
            "POST",
            url,
            headers={"Accept": "application/json"},
            json_body={"username": self._username, "password": password},
        )
        try:
            body = await read_bounded(response, self._max_json_bytes, url)
        finally:
            await response.aclose()
        status = response.status_code
        if status >= 400:
            error = error_for_status(
                status,
                url=url,
                problem=parse_problem(body, media_type(response)),
                excerpt=body_excerpt(body),
                retry_after=retry_after(response),
                login=True,
            )
            if (
                isinstance(error, AuthenticationError)
                and error.kind is AuthErrorKind.BAD_CREDENTIALS
            ):
                self._credentials_rejected = True
            if isinstance(error, RateLimitedError) and error.retry_after is not None:
                self._blocked_until = time.monotonic() + error.retry_after
            raise error
        if status != 200:
            raise ProtocolError(
                f"The Management Tool answered the login with HTTP {status}.",
                status=status,
                url=url,
            )
        data = decode_json(body, status=status, media=media_type(response), url=url, secret=True)
        grant = parse_model(TokenGrant, data, status=status, url=url, secret=True)
        if grant.token_type.lower() != "bearer":
            raise ProtocolError(
                f"The Management Tool issued a {grant.token_type[:40]!r} token instead of a "
                "bearer token.",
                status=status,
                url=url,
            )
        self._token = grant.access_token
        self.permissions = grant.permissions
        register_secret(grant.access_token.get_secret_value())
        margin = min(RENEW_MARGIN_S, grant.expires_in / 10)
        self._renew_at = time.monotonic() + grant.expires_in - margin
        log.info("Logged in to %s as %s", base, self._username)
        return grant.access_token
