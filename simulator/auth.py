"""Accounts, bearer tokens and the login lockout of the simulated Management Tool.

Tokens are cluster-wide (every endpoint shares one store, as the real servers share a
database). Time here is real monotonic time, not simulated cluster time: token expiry
and lockout are about the client's wall clock.
"""

from __future__ import annotations

import enum
import hmac
import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_S = 60.0

Clock = Callable[[], float]


class Role(enum.Enum):
    ADMIN = "admin"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Account:
    """A login; ``repr`` never shows the password."""

    username: str
    password: str = field(repr=False)
    role: Role


@dataclass(frozen=True)
class Principal:
    """Who a valid token belongs to."""

    username: str
    role: Role

    @property
    def can_change(self) -> bool:
        """Whether this login may change the cluster (isolate or return a server)."""
        return self.role is Role.ADMIN


READ = "cluster.read"
MANAGE_SERVERS = "servers.manage"


def account_permissions(account: Account) -> tuple[str, ...]:
    """What the token reply's ``permissions`` lists for ``account``."""
    return (READ, MANAGE_SERVERS) if account.role is Role.ADMIN else (READ,)


class Accounts:
    """The fixed set of accounts; ``check`` compares passwords in constant time."""

    def __init__(self, accounts: list[Account]) -> None:
        self._by_name = {account.username: account for account in accounts}

    def check(self, username: str, password: str) -> Account | None:
        """The account when ``username``/``password`` match, else ``None``."""
        account = self._by_name.get(username)
        if account is None:
            hmac.compare_digest(password.encode(), b"-" * len(password.encode()))
            return None
        if hmac.compare_digest(password.encode(), account.password.encode()):
            return account
        return None


@dataclass(frozen=True)
class IssuedToken:
    access_token: str = field(repr=False)
    expires_in: int


class TokenStore:
    """Opaque random bearer tokens that expire ``ttl`` seconds after issue."""

    def __init__(self, ttl: float, *, clock: Clock = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._tokens: dict[str, tuple[Principal, float]] = {}

    def issue(self, account: Account) -> IssuedToken:
        self._forget_expired()
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (
            Principal(account.username, account.role),
            self._clock() + self._ttl,
        )
        return IssuedToken(access_token=token, expires_in=max(1, math.ceil(self._ttl)))

    def principal(self, token: str) -> Principal | None:
        """Who ``token`` belongs to, or ``None`` when it is unknown, expired or revoked."""
        entry = self._tokens.get(token)
        if entry is None:
            return None
        principal, expires_at = entry
        if self._clock() >= expires_at:
            del self._tokens[token]
            return None
        return principal

    def revoke_all(self) -> None:
        """Invalidate every token issued so far."""
        self._tokens.clear()

    def __len__(self) -> int:
        self._forget_expired()
        return len(self._tokens)

    def _forget_expired(self) -> None:
        now = self._clock()
        for token in [t for t, (_, expires_at) in self._tokens.items() if now >= expires_at]:
            del self._tokens[token]


class LoginThrottle:
    """Lock a username out after ``failures`` failed logins within ``window`` seconds.

    While locked out every login for that username is refused, right password or not,
    until the oldest failure leaves the window.
    """

    def __init__(
        self,
        *,
        failures: int = LOCKOUT_FAILURES,
        window: float = LOCKOUT_WINDOW_S,
        clock: Clock = time.monotonic,
    ) -> None:
        self._limit = failures
        self._window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, username: str) -> int | None:
        """Whole seconds until ``username`` may try again, or ``None`` if not locked out."""
        recent = self._recent(username)
        if len(recent) < self._limit:
            return None
        return max(1, math.ceil(recent[0] + self._window - self._clock()))

    def record_failure(self, username: str) -> None:
        self._recent(username).append(self._clock())

    def record_success(self, username: str) -> None:
        self._failures.pop(username, None)

    def clear(self) -> None:
        """Forget every failure: no username is locked out."""
        self._failures.clear()

    def _recent(self, username: str) -> deque[float]:
        recent = self._failures.setdefault(username, deque())
        cutoff = self._clock() - self._window
        while recent and recent[0] <= cutoff:
            recent.popleft()
        return recent
