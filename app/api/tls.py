"""TLS trust for Management Tool connections: SSL contexts, pinning, certificate inspection.

Verification is never switched off. In ``PINNED`` mode the context accepts exactly one
certificate, identified by its SHA-256 fingerprint: the check runs inside the TLS
handshake (before a single HTTP byte, so before any credentials, is sent); the host
name is not checked because the user trusted that exact certificate.
"""

from __future__ import annotations

import hmac
import ssl
from urllib.parse import urlsplit

import httpx
import truststore

from app.api.certificates import CertificateInfo, normalize_fingerprint, sha256_fingerprint
from app.api.errors import TlsError, TlsErrorKind
from app.api.proxy import client_arguments
from app.api.settings import ProxySetting, TlsTrust, TrustMode
from app.api.tls_errors import CertificatePinMismatch, find_ssl_error
from app.api.transport_errors import transport_error
from app.api.urls import InvalidUrlError

__all__ = [
    "CertificateInfo",
    "CertificatePinMismatch",
    "DrainingSSLSocket",
    "PinnedSSLContext",
    "build_ssl_context",
    "fetch_certificate",
]


class PinnedSSLContext(ssl.SSLContext):
    """A client context that accepts only the certificate with ``pinned_sha256``."""

    pinned_sha256: str


def _check_pin(ssl_object: ssl.SSLObject | ssl.SSLSocket) -> None:
    context = ssl_object.context
    if not isinstance(context, PinnedSSLContext):  # pragma: no cover - wired only by us
        raise ssl.SSLError("pin check on a context without a pin")
    der = ssl_object.getpeercert(binary_form=True)
    if der is None or not hmac.compare_digest(sha256_fingerprint(der), context.pinned_sha256):
        raise CertificatePinMismatch(der or b"")


class _PinCheckingSSLObject(ssl.SSLObject):
    def do_handshake(self) -> None:
        super().do_handshake()
        _check_pin(self)


class DrainingSSLSocket(ssl.SSLSocket):
    """An ``SSLSocket`` whose ``recv(n)`` returns every TLS record already received, up to
    ``n`` bytes, instead of one record (16 KiB at most) per call.

    httpx's synchronous transport reads 64 KiB at a time and does the same fixed work
    (HTTP parsing, generator hops) per read, so a large download needs about a quarter
    of the reads. The first record is awaited as usual (the socket's timeout applies);
    the following ones are taken only if they can be decrypted without waiting.

    ``settimeout`` with the timeout the socket already has does nothing. Every call of
    ``socket.settimeout`` is a system call made with the GIL released, and httpcore sets
    the same timeout before each read, after ``recv`` has set it back: a third of the
    calls per read, each a GIL hand-over on the thread receiving a download.
    """

    def settimeout(self, value: float | None) -> None:
        if value != self.gettimeout():
            super().settimeout(value)

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        if flags:
            return super().recv(buflen, flags)  # refused by SSLSocket, as it should be
        # ``read`` is what ``SSLSocket.recv`` calls once it has checked that no flags are
        # given: called directly, a Python call fewer per TLS record (four per 64 KiB).
        try:
            first = self.read(buflen)
        except ValueError:  # not a TLS connection (any more): as SSLSocket.recv does
            return super().recv(buflen, flags)
        got = len(first)
        if got == 0 or got >= buflen:
            return first
        pieces = [first]
        timeout = self.gettimeout()
        self.settimeout(0.0)
        try:
            while got < buflen:
                try:
                    more = self.read(buflen - got)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    break
                except OSError:
                    break  # reported by the next recv, after these bytes are used
                if not more:
                    break
                pieces.append(more)
                got += len(more)
        finally:
            self.settimeout(timeout)
        return b"".join(pieces)


class _PinCheckingSSLSocket(DrainingSSLSocket):
    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        _check_pin(self)


class _PinCheckingPlainSSLSocket(ssl.SSLSocket):
    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        _check_pin(self)


def build_ssl_context(trust: TlsTrust, *, draining: bool = True) -> ssl.SSLContext:
    """The client ``SSLContext`` for ``trust``.

    SYSTEM uses the operating system's trust store (truststore); CA_FILE trusts the
    certificates in that file; PINNED trusts exactly the pinned certificate. CA_FILE and
    PINNED sockets are ``DrainingSSLSocket``s (truststore makes its own) unless
    ``draining`` is False: for small replies (a healthcheck's), where draining only
    costs a failed non-blocking read per reply. Raises ``TlsError(kind=CONFIGURATION)``
    when the CA file or the fingerprint is unusable.
    """
    if trust.mode is TrustMode.SYSTEM:
        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if trust.mode is TrustMode.CA_FILE:
        context = _ca_file_context(trust)
        context.sslsocket_class = DrainingSSLSocket if draining else ssl.SSLSocket
        return context
    context = _pinned_context(trust)
    context.sslsocket_class = _PinCheckingSSLSocket if draining else _PinCheckingPlainSSLSocket
    return context


def _ca_file_context(trust: TlsTrust) -> ssl.SSLContext:
    if trust.ca_file is None:
        raise TlsError(
            "No CA certificate file is chosen for this connection.",
            kind=TlsErrorKind.CONFIGURATION,
        )
    # Only the chosen CA is trusted (not the system's public CAs as well): the admin
    # picked this file to say who may sign this cluster's certificates.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(trust.ca_file))
    except FileNotFoundError:
        raise TlsError(
            f"The CA certificate file {trust.ca_file} does not exist.",
            kind=TlsErrorKind.CONFIGURATION,
        ) from None
    except OSError as exc:
        raise TlsError(
            f"The CA certificate file {trust.ca_file} cannot be read ({exc.strerror}).",
            kind=TlsErrorKind.CONFIGURATION,
        ) from None
    except ssl.SSLError as exc:
        raise TlsError(
            f"The file {trust.ca_file} does not contain a usable PEM or DER CA certificate.",
            kind=TlsErrorKind.CONFIGURATION,
            detail=str(exc),
        ) from None
    return context


def _pinned_context(trust: TlsTrust) -> ssl.SSLContext:
    try:
        fingerprint = normalize_fingerprint(trust.pinned_sha256 or "")
    except ValueError:
        raise TlsError(
            "The pinned certificate fingerprint is missing or is not a SHA-256 fingerprint.",
            kind=TlsErrorKind.CONFIGURATION,
        ) from None
    context = PinnedSSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # replaced by the fingerprint check in the handshake
    context.pinned_sha256 = fingerprint
    context.sslobject_class = _PinCheckingSSLObject
    return context


class _CertificateCaptured(ssl.SSLError):
    """Internal: the handshake reached the server's certificate; stop there."""

    def __init__(self, der: bytes) -> None:
        super().__init__(1, "certificate captured")
        self.der = der


class _CapturingSSLObject(ssl.SSLObject):
    def do_handshake(self) -> None:
        super().do_handshake()
        raise _CertificateCaptured(self.getpeercert(binary_form=True) or b"")


async def fetch_certificate(
    url: str,
    *,
    proxy: ProxySetting | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - per-connection httpx timeout, not a deadline
) -> CertificateInfo:
    """The leaf certificate the HTTPS server at ``url`` presents, fetched WITHOUT trusting it.

    For the "do you trust this certificate?" question: the connection is dropped right
    after the handshake, so no HTTP request (and no credential) is ever sent. Honours
    ``proxy`` (default: the system proxy). Raises ``InvalidUrlError`` for a non-HTTPS
    URL, ``UnreachableError`` when the server cannot be reached, ``TlsError`` when no
    TLS handshake is possible.
    """
    if urlsplit(url).scheme.lower() != "https":
        raise InvalidUrlError("Only https:// URLs have a certificate to inspect.")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # nothing is trusted: the handshake is cut short
    context.sslobject_class = _CapturingSSLObject
    arguments = client_arguments(proxy or ProxySetting(), context, [urlsplit(url).hostname or ""])
    async with httpx.AsyncClient(timeout=timeout, **arguments) as client:
        try:
            await client.head(url)
        except httpx.TransportError as exc:
            captured = find_ssl_error(exc)
            if isinstance(captured, _CertificateCaptured):
                info = _describe_or_none(captured.der)
                if info is not None:
                    return info
            raise transport_error(exc, url) from None
    raise TlsError(  # pragma: no cover - the handshake always ends in _CertificateCaptured
        "The server did not present a certificate.", kind=TlsErrorKind.OTHER, url=url
    )


def _describe_or_none(der: bytes) -> CertificateInfo | None:
    try:
        return CertificateInfo.from_der(der) if der else None
    except ValueError:
        return None
