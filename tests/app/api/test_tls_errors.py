"""Classifying certificate verification failures, as OpenSSL and the Windows trust store
(through truststore) report them."""

from __future__ import annotations

import ssl

import pytest

from app.api.errors import TlsErrorKind
from app.api.tls_errors import classify_ssl_error

URL = "https://mt01.corp.local/EkranSystem/api/v1/cluster"


def verification_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    """What truststore raises on Windows: the policy's code and FormatMessage's text."""
    error = ssl.SSLCertVerificationError(message)
    error.verify_code = code
    error.verify_message = message
    return error


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        # CERT_E_UNTRUSTEDROOT, in English, in German, and with no system text at all
        (
            0x800B0109,
            "A certificate chain processed, but terminated in a root certificate which is "
            "not trusted by the trust provider.",
            TlsErrorKind.UNTRUSTED_ISSUER,
        ),
        (
            0x800B0109,
            "Eine Zertifikatkette wurde zwar verarbeitet, endete jedoch mit einem "
            "Stammzertifikat, das beim Vertrauensanbieter nicht als vertrauenswürdig gilt.",
            TlsErrorKind.UNTRUSTED_ISSUER,
        ),
        (
            0x800B0109,
            "Certificate chain policy error 0x800b0109 [0]",
            TlsErrorKind.UNTRUSTED_ISSUER,
        ),
        # CERT_E_CHAINING, CERT_E_UNTRUSTEDCA: no chain to a trusted root
        (
            0x800B010A,
            "Certificate chain policy error 0x800b010a [0]",
            TlsErrorKind.UNTRUSTED_ISSUER,
        ),
        (
            0x800B0112,
            "Certificate chain policy error 0x800b0112 [1]",
            TlsErrorKind.UNTRUSTED_ISSUER,
        ),
        # the same code read as a signed 32-bit HRESULT
        (0x800B0109 - 2**32, "policy error", TlsErrorKind.UNTRUSTED_ISSUER),
        # CERT_E_EXPIRED, CERT_E_CN_NO_MATCH
        (0x800B0101, "Certificate chain policy error 0x800b0101 [0]", TlsErrorKind.EXPIRED),
        (
            0x800B010F,
            "Certificate chain policy error 0x800b010f [0]",
            TlsErrorKind.HOSTNAME_MISMATCH,
        ),
        # CERT_E_REVOKED is none of the three
        (0x800B010C, "Certificate chain policy error 0x800b010c [0]", TlsErrorKind.OTHER),
    ],
)
def test_windows_trust_store_errors_are_classified_by_their_code(
    code: int, message: str, kind: TlsErrorKind
) -> None:
    error = classify_ssl_error(verification_error(code, message), URL)
    assert error.kind is kind
    assert "mt01.corp.local" in error.message
    assert "\n" not in error.message


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (20, TlsErrorKind.UNTRUSTED_ISSUER),  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        (10, TlsErrorKind.EXPIRED),  # X509_V_ERR_CERT_HAS_EXPIRED
        (62, TlsErrorKind.HOSTNAME_MISMATCH),  # X509_V_ERR_HOSTNAME_MISMATCH
    ],
)
def test_openssl_codes_keep_their_kinds(code: int, kind: TlsErrorKind) -> None:
    error = classify_ssl_error(verification_error(code, "certificate verify failed"), URL)
    assert error.kind is kind
