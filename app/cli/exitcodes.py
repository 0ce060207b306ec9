"""Exit codes of ``ekran-console-cli`` and how errors map to them."""

from __future__ import annotations

from enum import IntEnum

from app.actions import ReadOnlyError
from app.api.errors import (
    AuthenticationError,
    ConflictError,
    ConsoleError,
    NotFoundError,
    RateLimitedError,
)
from app.connections import ProfileValidationError
from app.credentials import CredentialError
from app.downloads import DownloadError


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # anything not covered below (a local file problem, an unexpected error)
    USAGE = 2  # bad arguments, unknown connection or server name
    CONNECTION = 3  # unreachable, TLS, server unavailable, malformed reply
    AUTH = 4  # bad credentials, expired, forbidden, no password, locked out, too many requests
    REFUSED = 5  # conflict, or an action the connection or server refuses
    AUDIT_NOT_WRITTEN = 6  # the action succeeded but its audit record could not be written


class UsageError(Exception):
    """A mistake in the command line; ``str()`` is the one-line explanation."""


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code that reports ``error``."""
    if isinstance(error, UsageError | ProfileValidationError):
        return ExitCode.USAGE
    if isinstance(error, AuthenticationError | CredentialError | RateLimitedError):
        return ExitCode.AUTH
    if isinstance(error, ConflictError | NotFoundError | ReadOnlyError):
        return ExitCode.REFUSED
    if isinstance(error, DownloadError):  # a local problem: disk, size, archive, cancel
        return ExitCode.FAILURE
    if isinstance(error, ConsoleError):
        return ExitCode.CONNECTION
    return ExitCode.FAILURE
