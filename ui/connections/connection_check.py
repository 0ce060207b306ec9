"""Test a connection's settings: every endpoint's healthcheck, then a login."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from app.api.errors import (
    AuthenticationError,
    ConsoleError,
    TlsError,
    TlsErrorKind,
    UnreachableError,
)
from app.api.models import HealthReport, HealthStatus
from app.api.settings import FailoverRule
from app.connections import ConnectionProfile
from app.credentials import Secret
from app.kinds.detect import HealthOnlyDeployment, lacks_api
from app.kinds.registry import capabilities_of, kind_of
from app.logsetup import register_secret
from app.seam import Capability

LOGIN_KEY = "login"
INSPECTABLE_TLS_KINDS = frozenset(
    {TlsErrorKind.UNTRUSTED_ISSUER, TlsErrorKind.HOSTNAME_MISMATCH, TlsErrorKind.PIN_MISMATCH}
)


class CheckOutcome(Enum):
    """How one check went; each has its own icon."""

    OK = "ok"
    WARNING = "warning"  # answered, but not healthy
    UNREACHABLE = "unreachable"
    CERTIFICATE = "certificate"  # the TLS connection was not trusted
    LOGIN_FAILED = "login_failed"
    FAILED = "failed"  # any other error
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckResult:
    """One line of a connection test: an endpoint's health (``key`` = its URL) or the
    login (``key`` = ``LOGIN_KEY``). ``text`` is the line shown to the user."""

    key: str
    url: str
    outcome: CheckOutcome
    text: str
    error: ConsoleError | None = None
    offers_health_only: bool = False  # no API where the healthcheck answers

    @property
    def ok(self) -> bool:
        return self.outcome is CheckOutcome.OK

    @property
    def inspectable_tls_error(self) -> TlsError | None:
        """The TLS error whose certificate the user may inspect and trust, if any."""
        error = self.error
        if isinstance(error, TlsError) and error.kind in INSPECTABLE_TLS_KINDS:
            return error
        return None


def health_result(url: str, report: HealthReport) -> CheckResult:
    text = f"{report.status.value} ({report.http_status})"
    healthy = report.ok and report.status in (HealthStatus.HEALTHY, HealthStatus.UNKNOWN)
    outcome = CheckOutcome.OK if healthy else CheckOutcome.WARNING
    return CheckResult(url, url, outcome, text)


def error_result(key: str, url: str, error: ConsoleError, *, login: bool) -> CheckResult:
    """The line for a failed check; the message is the error's one-line text."""
    if isinstance(error, TlsError):
        return CheckResult(
            key, url, CheckOutcome.CERTIFICATE, f"Certificate problem: {error}", error
        )
    if isinstance(error, UnreachableError):
        return CheckResult(key, url, CheckOutcome.UNREACHABLE, f"Unreachable: {error}", error)
    if login and isinstance(error, AuthenticationError):
        return CheckResult(key, url, CheckOutcome.LOGIN_FAILED, f"Login failed: {error}", error)
    prefix = "Login failed" if login else "Failed"
    return CheckResult(key, url, CheckOutcome.FAILED, f"{prefix}: {error}", error)


async def check_connection(
    profile: ConnectionProfile,
    password: Secret | None,
    report: Callable[[CheckResult], None],
) -> list[CheckResult]:
    """Probe every URL's healthcheck (concurrently), then log in once with failover.

    ``report`` receives each result as soon as it is known; all of them are returned.
    Without a password the login is reported as skipped; a connection that needs no
    credentials (health only) has no login to test. A login refused because there is
    no API where the healthcheck answers says so (``offers_health_only``).
    Only ``ConsoleError``s are turned into results; cancelling stops the probes and
    closes the connections.
    """
    results: list[CheckResult] = []
    answered: list[tuple[str, int]] = []

    def publish(result: CheckResult) -> None:
        results.append(result)
        report(result)

    async def password_source() -> str:
        if password is None:  # pragma: no cover - login is skipped without a password
            raise RuntimeError("no password")
        return password.reveal()

    if password is not None:
        register_secret(password)
    capabilities = capabilities_of(profile)
    client = kind_of(profile).build_client(
        profile, password_source, transport=None, failover=FailoverRule.ENDPOINT_DOWN
    )
    try:

        async def probe(url: str) -> None:
            try:
                health = await client.health(url)
            except ConsoleError as exc:
                publish(error_result(url, url, exc, login=False))
            else:
                answered.append((url, health.http_status))
                publish(health_result(url, health))

        await asyncio.gather(*(probe(url) for url in profile.urls))
        if not capabilities.has(Capability.NEEDS_CREDENTIALS):
            return results
        if password is None:
            publish(
                CheckResult(
                    LOGIN_KEY,
                    profile.urls[0],
                    CheckOutcome.SKIPPED,
                    "Login not tested: enter the password to test it.",
                )
            )
            return results
        try:
            await client.login()
        except ConsoleError as exc:
            publish(_login_failure(client.active_url, exc, answered))
        else:
            publish(
                CheckResult(
                    LOGIN_KEY,
                    client.active_url,
                    CheckOutcome.OK,
                    f"Login OK as {profile.username}",
                )
            )
    finally:
        await client.aclose()
    return results


def _login_failure(url: str, error: ConsoleError, answered: list[tuple[str, int]]) -> CheckResult:
    """The login's line; a deployment without the API is named, with the offer to keep
    the connection as a health-only one."""
    if answered and lacks_api(error):
        deployment = HealthOnlyDeployment(*answered[0])
        return CheckResult(
            LOGIN_KEY,
            deployment.url,
            CheckOutcome.FAILED,
            f"No API: {deployment.explanation()}",
            error,
            offers_health_only=True,
        )
    return error_result(LOGIN_KEY, url, error, login=True)
