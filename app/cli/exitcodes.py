"""Exit codes of ``ekran-console-cli``, the kind of each failure, and how errors map to them."""

from __future__ import annotations

from enum import IntEnum

from app.actions import ReadOnlyError
from app.api.errors import (
    AuthenticationError,
    AuthErrorKind,
    ConflictError,
    ConsoleError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerUnavailableError,
    TlsError,
    UnreachableError,
)
from app.connections import ConnectionStoreError, ProfileValidationError, TransferError
from app.credentials import (
    CredentialError,
    KeyringAccessError,
    KeyringUnavailableError,
    SecretRejectedError,
)
from app.downloads import DownloadError
from app.seam import NotSupportedError

ERROR_LIMIT = 1000
"""The longest error line shown on stderr; ``--json`` keeps the whole message."""


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # anything not covered below (a local file problem, an unexpected error)
    USAGE = 2  # bad arguments, unknown connection or server name
    CONNECTION = 3  # unreachable, TLS, server unavailable, malformed reply
    AUTH = 4  # bad credentials, expired session, no password, locked out, too many requests
    REFUSED = 5  # conflict, no permission (403, read-only), or an action the server refuses
    AUDIT_NOT_WRITTEN = 6  # the action succeeded but its audit record could not be written


INTERRUPTED = 130
"""The exit code after Ctrl+C (128 + SIGINT, as shells report it)."""


class UsageError(Exception):
    """A mistake in the command line; ``str()`` is the one-line explanation."""


class NoPasswordError(CredentialError):
    """No password could be obtained without a terminal to ask on."""


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code that reports ``error``."""
    if isinstance(error, UsageError | ProfileValidationError):
        return ExitCode.USAGE
    if isinstance(error, AuthenticationError) and error.kind is AuthErrorKind.FORBIDDEN:
        return ExitCode.REFUSED  # signed in, but the account may not do this
    if isinstance(error, AuthenticationError | CredentialError | RateLimitedError):
        return ExitCode.AUTH
    if isinstance(error, ConflictError | NotFoundError | ReadOnlyError | NotSupportedError):
        return ExitCode.REFUSED
    if isinstance(error, DownloadError):  # a local problem: disk, size, archive, cancel
        return ExitCode.FAILURE
    if isinstance(error, ConsoleError):
        return ExitCode.CONNECTION
    return ExitCode.FAILURE


# Most specific first: the first class ``error`` is an instance of names its kind.
_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (UsageError, "usage"),
    (ProfileValidationError, "invalid_connection"),
    (NoPasswordError, "no_password"),
    (KeyringUnavailableError, "no_keyring"),
    (KeyringAccessError, "keyring"),
    (SecretRejectedError, "password_rejected"),
    (CredentialError, "keyring"),
    (ReadOnlyError, "read_only"),
    (NotSupportedError, "not_supported"),
    (ConflictError, "conflict"),
    (NotFoundError, "not_found"),
    (TlsError, "tls"),
    (UnreachableError, "unreachable"),
    (ServerUnavailableError, "server_unavailable"),
    (RateLimitedError, "rate_limited"),
    (ProtocolError, "protocol"),
    (DownloadError, "download"),
    (ConsoleError, "connection"),
    (ConnectionStoreError, "connections_file"),
    (TransferError, "transfer"),
    (OSError, "file"),
)


_AUTH_KINDS = {AuthErrorKind.FORBIDDEN: "forbidden", AuthErrorKind.NO_PASSWORD: "no_password"}


def error_kind(error: BaseException) -> str:
    """A stable, machine-readable name for what went wrong (``"tls"``, ``"forbidden"``...).

    Scripts branch on it (with ``--json``); the names never change meaning. An
    ``AuthenticationError`` is ``"authentication"``, or ``"forbidden"`` when the account
    was signed in but lacks the permission, or ``"no_password"`` when no password could
    be obtained. Anything unforeseen is ``"unexpected"``.
    """
    if isinstance(error, AuthenticationError):
        return _AUTH_KINDS.get(error.kind, "authentication")
    for kind_of, name in _KINDS:
        if isinstance(error, kind_of):
            return name
    return "unexpected"
