"""Classifying TLS handshake failures into ``TlsError`` kinds with actionable messages."""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit

from app.api.certificates import CertificateInfo
from app.api.errors import TlsError, TlsErrorKind

# OpenSSL X509_V_ERR_* codes (see x509_vfy.h) reported in SSLCertVerificationError.verify_code.
_UNTRUSTED_CODES = frozenset({2, 18, 19, 20, 21, 27})
_EXPIRED_CODES = frozenset({9, 10})
_HOSTNAME_CODES = frozenset({62, 64})

# Windows CERT_E_* / TRUST_E_* codes (winerror.h), which truststore reports as verify_code
# when the Windows trust store refuses a chain. Their messages come from FormatMessage in
# the user's language (or, when the system has no text, as "Certificate chain policy
# error 0x..."), so the code is what classifies them, not the words.
_CERT_E_EXPIRED = 0x800B0101
_CERT_E_UNTRUSTEDROOT = 0x800B0109
_CERT_E_CHAINING = 0x800B010A
_CERT_E_UNTRUSTEDTESTROOT = 0x800B010D
_CERT_E_CN_NO_MATCH = 0x800B010F
_CERT_E_UNTRUSTEDCA = 0x800B0112
_WINDOWS_UNTRUSTED_CODES = frozenset(
    {_CERT_E_UNTRUSTEDROOT, _CERT_E_CHAINING, _CERT_E_UNTRUSTEDTESTROOT, _CERT_E_UNTRUSTEDCA}
)
_WINDOWS_EXPIRED_CODES = frozenset({_CERT_E_EXPIRED})
_WINDOWS_HOSTNAME_CODES = frozenset({_CERT_E_CN_NO_MATCH})


class CertificatePinMismatch(ssl.SSLCertVerificationError):
    """The server presented a certificate other than the pinned one.

    Raised inside the handshake; ``der`` is the presented certificate.
    """

    def __init__(self, der: bytes) -> None:
        super().__init__(1, "the certificate does not match the pinned fingerprint")
        self.der = der


def find_ssl_error(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind a (wrapped) connection error, if there is one.

    The non-blocking "want read/write" signals are not failures and are skipped.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError) and not isinstance(
            current, ssl.SSLWantReadError | ssl.SSLWantWriteError
        ):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def classify_ssl_error(error: ssl.SSLError, url: str) -> TlsError:
    """Turn a handshake failure into a ``TlsError`` whose message says what to check."""
    host = _host_of(url)
    if isinstance(error, CertificatePinMismatch):
        certificate = _describe(error.der)
        return TlsError(
            f"The certificate of {host} is not the one you trusted: it was replaced, or "
            "someone is intercepting the connection. Inspect it before trusting it again.",
            kind=TlsErrorKind.PIN_MISMATCH,
            certificate=certificate,
            detail=f"presented sha256={certificate.sha256 if certificate else 'unknown'}",
            url=url,
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        kind = _verification_kind(error)
        return TlsError(_MESSAGES[kind].format(host=host), kind=kind, detail=str(error), url=url)
    return TlsError(
        f"The secure connection to {host} failed ({_reason(error)}).",
        kind=TlsErrorKind.OTHER,
        detail=str(error),
        url=url,
    )


_MESSAGES = {
    TlsErrorKind.UNTRUSTED_ISSUER: (
        "The certificate of {host} was issued by an unknown authority: a proxy or "
        "antivirus may be intercepting HTTPS, or the server uses a private CA "
        "(choose its CA file or inspect and trust the certificate)."
    ),
    TlsErrorKind.HOSTNAME_MISMATCH: (
        "The certificate of {host} is made out for a different name: check the URL "
        "(use the name in the certificate) or the server's certificate."
    ),
    TlsErrorKind.EXPIRED: (
        "The certificate of {host} has expired or is not valid yet: check the server's "
        "certificate and this computer's clock."
    ),
    TlsErrorKind.OTHER: "The certificate of {host} was rejected.",
}


def _verification_kind(error: ssl.SSLCertVerificationError) -> TlsErrorKind:
    code: Any = getattr(error, "verify_code", None)
    if isinstance(code, int) and code < 0:
        code &= 0xFFFFFFFF  # an HRESULT read as a signed 32-bit number
    if code in _UNTRUSTED_CODES or code in _WINDOWS_UNTRUSTED_CODES:
        return TlsErrorKind.UNTRUSTED_ISSUER
    if code in _EXPIRED_CODES or code in _WINDOWS_EXPIRED_CODES:
        return TlsErrorKind.EXPIRED
    if code in _HOSTNAME_CODES or code in _WINDOWS_HOSTNAME_CODES:
        return TlsErrorKind.HOSTNAME_MISMATCH
    # Platform verifiers (truststore on macOS; Windows codes not listed above) report only
    # a message.
    text = f"{getattr(error, 'verify_message', '')} {error}".lower()
    if "hostname" in text or "host name" in text or "ip address mismatch" in text:
        return TlsErrorKind.HOSTNAME_MISMATCH
    if "expired" in text or "not yet valid" in text:
        return TlsErrorKind.EXPIRED
    untrusted = ("self-signed", "self signed", "issuer", "untrusted", "root", "not trusted")
    if any(w in text for w in untrusted):
        return TlsErrorKind.UNTRUSTED_ISSUER
    return TlsErrorKind.OTHER


def _reason(error: ssl.SSLError) -> str:
    return str(error.reason or error.strerror or type(error).__name__).replace("_", " ").lower()


def _describe(der: bytes) -> CertificateInfo | None:
    try:
        return CertificateInfo.from_der(der) if der else None
    except ValueError:
        return None


def _host_of(url: str) -> str:
    return urlsplit(url).netloc or url
