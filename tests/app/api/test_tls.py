"""TLS trust: system store, CA file, pinned certificate, and readable failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme
import truststore
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from app.api.certificates import normalize_fingerprint, sha256_fingerprint
from app.api.client import ManagementClient
from app.api.errors import TlsError, TlsErrorKind, UnreachableError
from app.api.settings import EndpointSettings, ProxyMode, ProxySetting, TlsTrust, TrustMode
from app.api.tls import (
    CertificatePinMismatch,
    DrainingSSLSocket,
    build_ssl_context,
    fetch_certificate,
)
from app.api.urls import InvalidUrlError
from tests.app.api.simclient import admin_password, requests_seen, sim_settings
from tests.app.api.test_client_failover import closed_port_url
from tests.app.api.tls_servers import tls_server
from tests.helpers.simulator_process import SimulatorProcess

NO_PROXY = ProxySetting(mode=ProxyMode.NONE)


def simulator_leaf_sha256(sim: SimulatorProcess) -> str:
    pem = (sim.tls_dir / "server.pem").read_bytes()
    return sha256_fingerprint(x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER))


# -- contexts ------------------------------------------------------------------------------
def test_system_trust_uses_the_os_store() -> None:
    context = build_ssl_context(TlsTrust(mode=TrustMode.SYSTEM))
    assert isinstance(context, truststore.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "does not exist"), (b"not a certificate", "usable"), (b"", "usable")],
)
def test_unusable_ca_files_are_explained(
    tmp_path: Path, content: bytes | None, fragment: str
) -> None:
    ca_file = tmp_path / "corp-ca.pem"
    if content is not None:
        ca_file.write_bytes(content)
    with pytest.raises(TlsError) as caught:
        build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
    assert caught.value.kind is TlsErrorKind.CONFIGURATION
    assert fragment in caught.value.message
    assert str(ca_file) in caught.value.message


def test_a_ca_file_mode_without_a_file_is_a_configuration_error() -> None:
    with pytest.raises(TlsError) as caught:
        build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE))
    assert caught.value.kind is TlsErrorKind.CONFIGURATION


@pytest.mark.parametrize("pin", [None, "", "abc", "zz" * 32, "ab" * 31])
def test_a_malformed_pin_is_a_configuration_error(pin: str | None) -> None:
    with pytest.raises(TlsError) as caught:
        build_ssl_context(TlsTrust(mode=TrustMode.PINNED, pinned_sha256=pin))
    assert caught.value.kind is TlsErrorKind.CONFIGURATION


def test_fingerprints_are_normalized() -> None:
    digits = "AB:" * 31 + "CD"
    assert normalize_fingerprint(digits) == "ab" * 31 + "cd"


# -- certificate inspection ----------------------------------------------------------------
async def test_fetch_certificate_without_trusting_it(shared_simulator: SimulatorProcess) -> None:
    before = len(requests_seen(shared_simulator))
    info = await fetch_certificate(shared_simulator.url, proxy=NO_PROXY, timeout=5.0)
    assert len(requests_seen(shared_simulator)) == before, "no HTTP request was sent"
    assert info.sha256 == simulator_leaf_sha256(shared_simulator)
    assert "127.0.0.1" in info.sans
    assert not info.self_signed
    assert info.not_before < dt.datetime.now(dt.UTC) < info.not_after
    assert info.pem.startswith("-----BEGIN CERTIFICATE-----")
    assert len(info.sha256_display) == 95


async def test_fetch_certificate_sends_no_request() -> None:
    async with tls_server(trustme.CA().issue_cert("127.0.0.1")) as server:
        info = await fetch_certificate(server.url, proxy=NO_PROXY, timeout=5.0)
    assert info.subject
    assert server.requests == []


async def test_fetch_certificate_errors() -> None:
    with pytest.raises(InvalidUrlError):
        await fetch_certificate("http://127.0.0.1:1/EkranSystem", proxy=NO_PROXY)
    with pytest.raises(UnreachableError):
        await fetch_certificate(closed_port_url(), proxy=NO_PROXY, timeout=5.0)


# -- verification against servers ----------------------------------------------------------
async def test_system_trust_rejects_the_private_ca(shared_simulator: SimulatorProcess) -> None:
    settings = sim_settings(shared_simulator, trust=TlsTrust(mode=TrustMode.SYSTEM))
    async with ManagementClient(settings, admin_password(shared_simulator)) as client:
        with pytest.raises(TlsError) as caught:
            await client.health()
    error = caught.value
    assert error.kind is TlsErrorKind.UNTRUSTED_ISSUER
    assert "unknown authority" in error.message
    assert error.certificate is not None
    assert error.certificate.sha256 == simulator_leaf_sha256(shared_simulator)


async def test_pinned_certificate_is_trusted(shared_simulator: SimulatorProcess) -> None:
    presented = await fetch_certificate(shared_simulator.url, proxy=NO_PROXY, timeout=5.0)
    trust = TlsTrust(mode=TrustMode.PINNED, pinned_sha256=presented.sha256_display)
    settings = sim_settings(shared_simulator, trust=trust)
    async with ManagementClient(settings, admin_password(shared_simulator)) as client:
        snapshot = await client.cluster()
    assert snapshot.servers


async def test_a_changed_pinned_certificate_is_refused_before_login(
    simulator: SimulatorProcess,
) -> None:
    trust = TlsTrust(mode=TrustMode.PINNED, pinned_sha256="0" * 64)
    async with ManagementClient(
        sim_settings(simulator, trust=trust), admin_password(simulator)
    ) as client:
        with pytest.raises(TlsError) as caught:
            await client.login()
    assert caught.value.kind is TlsErrorKind.PIN_MISMATCH
    assert caught.value.certificate is not None
    assert caught.value.certificate.sha256 == simulator_leaf_sha256(simulator)
    assert requests_seen(simulator) == [], "no request (so no token request) was sent"


def _ca_trust(ca: trustme.CA, tmp_path: Path) -> TlsTrust:
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file)


async def _failure_against(cert: trustme.LeafCert, trust: TlsTrust) -> TlsError:
    async with tls_server(cert) as server:
        settings = EndpointSettings(
            urls=(server.url,), username="admin", trust=trust, proxy=NO_PROXY
        )
        async with ManagementClient(settings, no_password_needed) as client:
            with pytest.raises(TlsError) as caught:
                await client.health()
        assert server.requests == []
    return caught.value


async def test_hostname_mismatch(tmp_path: Path) -> None:
    ca = trustme.CA()
    error = await _failure_against(ca.issue_cert("mt99.corp.local"), _ca_trust(ca, tmp_path))
    assert error.kind is TlsErrorKind.HOSTNAME_MISMATCH
    assert error.certificate is not None
    assert error.certificate.sans == ("mt99.corp.local",)


async def test_expired_certificate(tmp_path: Path) -> None:
    ca = trustme.CA()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    cert = ca.issue_cert("127.0.0.1", not_before=past - dt.timedelta(days=30), not_after=past)
    error = await _failure_against(cert, _ca_trust(ca, tmp_path))
    assert error.kind is TlsErrorKind.EXPIRED
    assert "expired" in error.message


async def no_password_needed() -> str:
    raise AssertionError("no password is needed for a health check")


def _blocking_handshake(url: str, context: ssl.SSLContext) -> bytes:
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    with (
        socket.create_connection((parts.hostname, parts.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=parts.hostname) as tls,
    ):
        return tls.getpeercert(binary_form=True) or b""


@pytest.mark.parametrize("draining", [True, False], ids=["draining", "plain"])
async def test_pinning_also_guards_blocking_sockets(
    shared_simulator: SimulatorProcess, draining: bool
) -> None:
    expected = simulator_leaf_sha256(shared_simulator)
    right = build_ssl_context(
        TlsTrust(mode=TrustMode.PINNED, pinned_sha256=expected), draining=draining
    )
    der = await asyncio.to_thread(_blocking_handshake, shared_simulator.url, right)
    assert sha256_fingerprint(der) == expected
    wrong = build_ssl_context(
        TlsTrust(mode=TrustMode.PINNED, pinned_sha256="f" * 64), draining=draining
    )
    with pytest.raises(CertificatePinMismatch) as caught:
        await asyncio.to_thread(_blocking_handshake, shared_simulator.url, wrong)
    assert sha256_fingerprint(caught.value.der) == expected


@pytest.mark.parametrize("mode", [TrustMode.CA_FILE, TrustMode.PINNED])
def test_sockets_drain_unless_asked_not_to(mode: TrustMode, tmp_path: Path) -> None:
    """CA file and pinned contexts make draining sockets; with ``draining=False`` (the
    health-only prober's small replies) plain ones, the pinned ones still checking the pin."""
    ca = trustme.CA()
    trust = (
        _ca_trust(ca, tmp_path)
        if mode is TrustMode.CA_FILE
        else TlsTrust(mode=TrustMode.PINNED, pinned_sha256="a" * 64)
    )
    draining = build_ssl_context(trust).sslsocket_class
    plain = build_ssl_context(trust, draining=False).sslsocket_class
    assert issubclass(draining, DrainingSSLSocket)
    assert not issubclass(plain, DrainingSSLSocket)
    assert issubclass(plain, ssl.SSLSocket)
