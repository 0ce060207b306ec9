"""A private certificate authority and a loopback server certificate for the simulator.

``ensure_certificates(directory)`` leaves four PEM files in ``directory``:
``ca.pem`` (the CA a client trusts), ``ca-key.pem``, ``server.pem`` and ``server-key.pem``.
Existing files are reused while they are still valid, so a client that trusted the CA
keeps trusting it across restarts; a missing or expiring server certificate is reissued
from the existing CA when that CA is still usable.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_VALIDITY = dt.timedelta(days=3650)
SERVER_VALIDITY = dt.timedelta(days=825)
RENEW_BEFORE = dt.timedelta(days=7)
SERVER_DNS_NAMES = ("localhost",)
SERVER_IP_ADDRESSES = ("127.0.0.1", "::1")


class TlsError(Exception):
    """The certificate files could not be created or read; ``str()`` says which and why."""


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the PEM files in a TLS directory."""

    ca_file: Path
    ca_key_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def in_directory(cls, directory: Path) -> TlsFiles:
        return cls(
            ca_file=directory / "ca.pem",
            ca_key_file=directory / "ca-key.pem",
            cert_file=directory / "server.pem",
            key_file=directory / "server-key.pem",
        )


def ensure_certificates(directory: Path, *, now: dt.datetime | None = None) -> TlsFiles:
    """Return the TLS files in ``directory``, creating or renewing what is missing or expiring.

    Raises ``TlsError`` when the directory cannot be written.
    """
    moment = now or dt.datetime.now(dt.UTC)
    files = TlsFiles.in_directory(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        ca = _load_usable_ca(files, moment)
        if ca is None:
            ca = _new_ca(moment)
            _write_key(files.ca_key_file, ca[1])
            _write_atomic(files.ca_file, ca[0].public_bytes(serialization.Encoding.PEM))
        if not _server_cert_usable(files, ca[0], moment):
            cert, key = _new_server_cert(ca, moment)
            _write_key(files.key_file, key)
            _write_atomic(files.cert_file, cert.public_bytes(serialization.Encoding.PEM))
    except OSError as exc:
        raise TlsError(f"Cannot write the TLS files in {directory}: {exc.strerror}.") from exc
    return files


def server_ssl_context(files: TlsFiles) -> ssl.SSLContext:
    """A TLS 1.2+ server context presenting the simulator's server certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(files.cert_file, files.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"Cannot load the server certificate from {files.cert_file}.") from exc
    return context


# -- loading ---------------------------------------------------------------------------------


def _load_usable_ca(
    files: TlsFiles, moment: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
        key = serialization.load_pem_private_key(files.ca_key_file.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if key.public_key().public_numbers() != _ec_public_numbers(cert):
        return None
    if not _valid_at(cert, moment):
        return None
    return cert, key


def _server_cert_usable(files: TlsFiles, ca: x509.Certificate, moment: dt.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
        key = serialization.load_pem_private_key(files.key_file.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return False
    if key.public_key().public_numbers() != _ec_public_numbers(cert):
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return _valid_at(cert, moment) and _has_required_names(cert)


def _ec_public_numbers(cert: x509.Certificate) -> ec.EllipticCurvePublicNumbers | None:
    public = cert.public_key()
    return public.public_numbers() if isinstance(public, ec.EllipticCurvePublicKey) else None


def _valid_at(cert: x509.Certificate, moment: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= moment and moment + RENEW_BEFORE < cert.not_valid_after_utc


def _has_required_names(cert: x509.Certificate) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    dns = set(san.get_values_for_type(x509.DNSName))
    ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return set(SERVER_DNS_NAMES) <= dns and set(SERVER_IP_ADDRESSES) <= ips


# -- issuing ---------------------------------------------------------------------------------


def _new_ca(moment: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ekran Cluster Simulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Ekran Cluster Simulator local CA"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(hours=1))
        .not_valid_after(moment + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _new_server_cert(
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], moment: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in SERVER_DNS_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVER_IP_ADDRESSES]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(hours=1))
        .not_valid_after(min(moment + SERVER_VALIDITY, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


# -- writing ---------------------------------------------------------------------------------


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomic(path, pem, mode=0o600)


def _write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
