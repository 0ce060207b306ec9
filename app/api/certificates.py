"""A readable description of one X.509 certificate, as shown to a person deciding to trust it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


@dataclass(frozen=True)
class CertificateInfo:
    """The facts about a certificate that a trust decision needs.

    ``sha256`` is the SHA-256 fingerprint of the DER encoding as 64 lowercase hex
    digits, the same form as ``TlsTrust.pinned_sha256``. ``sans`` lists the DNS names
    and IP addresses of the subjectAltName extension. Times are timezone-aware UTC.
    """

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    sha256: str
    sans: tuple[str, ...]
    pem: str

    @property
    def sha256_display(self) -> str:
        """The fingerprint as colon-separated upper-case byte pairs (``AB:CD:...``)."""
        digits = self.sha256.upper()
        return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer

    @classmethod
    def from_der(cls, der: bytes) -> CertificateInfo:
        """Describe a DER certificate; raises ``ValueError`` if it cannot be parsed."""
        cert = x509.load_der_x509_certificate(der)
        return cls(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sha256=sha256_fingerprint(der),
            sans=_subject_alt_names(cert),
            pem=cert.public_bytes(Encoding.PEM).decode("ascii"),
        )


def sha256_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate as 64 lowercase hex digits."""
    return hashlib.sha256(der).hexdigest()


def normalize_fingerprint(text: str) -> str:
    """Accept ``AB:CD:..``, ``ab cd ..`` or plain hex; return 64 lowercase hex digits.

    Raises ``ValueError`` when the text is not a SHA-256 fingerprint.
    """
    digits = "".join(ch for ch in text if ch not in ": \t-").lower()
    if len(digits) != 64 or any(ch not in "0123456789abcdef" for ch in digits):
        raise ValueError("A SHA-256 fingerprint has exactly 64 hexadecimal digits.")
    return digits


def _subject_alt_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    names: list[str] = list(ext.value.get_values_for_type(x509.DNSName))
    names.extend(str(ip) for ip in ext.value.get_values_for_type(x509.IPAddress))
    return tuple(names)
