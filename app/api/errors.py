"""Typed errors of the Management Tool client.

Every error has ``message`` (one line a person can act on; ``str(error)`` returns it),
``detail`` (technical, for the log) and ``url`` (the endpoint involved, if any).
Neither the message, the detail nor ``repr()`` ever contains a password or a token:
texts that come from a server are reduced to one sanitized line first.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from app.api.urls import InvalidUrlError

if TYPE_CHECKING:
    from app.api.certificates import CertificateInfo  # cryptography: only where it is used

__all__ = [
    "AuthErrorKind",
    "AuthenticationError",
    "ConflictError",
    "ConsoleError",
    "InvalidUrlError",
    "NotFoundError",
    "ProtocolError",
    "RangeNotSatisfiableError",
    "RateLimitedError",
    "ServerUnavailableError",
    "TlsError",
    "TlsErrorKind",
    "UnreachableError",
    "UnreachableReason",
]


class ConsoleError(Exception):
    """Base of every error the core reports to the window or the command line."""

    def __init__(self, message: str, *, detail: str = "", url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.url = url

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, url={self.url!r})"


class UnreachableReason(StrEnum):
    DNS = "dns"  # the host name does not resolve
    REFUSED = "refused"  # nothing listens on that port, or a firewall rejects
    TIMEOUT = "timeout"  # no connection or no answer in time
    CONNECTION_LOST = "connection_lost"  # the connection closed in the middle of a reply
    PROXY = "proxy"  # the proxy refused or failed
    OTHER = "other"


class UnreachableError(ConsoleError):
    """The endpoint could not be reached or stopped answering; ``reason`` says how."""

    def __init__(
        self,
        message: str,
        *,
        reason: UnreachableReason,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.reason = reason


class TlsErrorKind(StrEnum):
    UNTRUSTED_ISSUER = "untrusted_issuer"
    HOSTNAME_MISMATCH = "hostname_mismatch"
    EXPIRED = "expired"  # also "not yet valid"
    PIN_MISMATCH = "pin_mismatch"  # the pinned certificate was replaced
    CONFIGURATION = "configuration"  # the CA file or the pinned fingerprint is unusable
    OTHER = "other"


class TlsError(ConsoleError):
    """The HTTPS connection was not trusted; never a reason to fail over silently.

    ``certificate`` describes the certificate the server presented, when it could be
    obtained, so that the user can inspect it.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: TlsErrorKind,
        certificate: CertificateInfo | None = None,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.kind = kind
        self.certificate = certificate

    def __repr__(self) -> str:
        return f"TlsError(kind={self.kind.value!r}, message={self.message!r}, url={self.url!r})"


class AuthErrorKind(StrEnum):
    BAD_CREDENTIALS = "bad_credentials"
    EXPIRED = "expired"  # a fresh login was refused too
    FORBIDDEN = "forbidden"  # logged in, but the account may not do this
    NO_PASSWORD = "no_password"  # no password could be obtained (none saved, prompt cancelled)


class AuthenticationError(ConsoleError):
    def __init__(
        self,
        message: str,
        *,
        kind: AuthErrorKind,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.kind = kind


class ConflictError(ConsoleError):
    """409: the request is not possible in the cluster's current state.

    ``server_detail`` is the server's one-line explanation (sanitized), if it gave one.
    """

    def __init__(
        self,
        message: str,
        *,
        server_detail: str | None = None,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.server_detail = server_detail


class ProtocolError(ConsoleError):
    """The reply is not what the API contract promises.

    ``status`` is the HTTP status, if a reply arrived; ``excerpt`` is at most ~200
    sanitized characters of its body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        excerpt: str | None = None,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.status = status
        self.excerpt = excerpt


class ServerUnavailableError(ConsoleError):
    """A 5xx answer; ``retry_after`` is the server's advice in seconds, if any."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        retry_after: float | None = None,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.status = status
        self.retry_after = retry_after


class RateLimitedError(ConsoleError):
    """429: too many requests; ``retry_after`` is the server's advice in seconds, if any."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.retry_after = retry_after


class NotFoundError(ConsoleError):
    """404: the server, or the API itself, does not exist at that URL."""


class RangeNotSatisfiableError(ConsoleError):
    """416: a download cannot resume at the requested offset.

    ``total_size`` is the archive's size from ``Content-Range: bytes */TOTAL``, if sent;
    when it equals the offset, the partial file was already complete.
    """

    def __init__(
        self,
        message: str,
        *,
        total_size: int | None = None,
        detail: str = "",
        url: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, url=url)
        self.total_size = total_size
