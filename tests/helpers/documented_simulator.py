"""A documented-only simulator (the healthcheck under a custom base path) as fixtures.

Imported by the conftest of each test package that uses them."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from app.connections import ConnectionProfile
from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

BASE = "/MyMonitoringSystem"


@pytest.fixture
def documented(start_simulator: StartSimulator) -> SimulatorProcess:
    """Three servers, each with its Management Tool under ``/MyMonitoringSystem``."""
    return start_simulator("--documented-only", "--base-path", BASE, "--servers", "3")


@pytest.fixture
def closed_url() -> Iterator[str]:
    """A loopback URL on a port nothing listens on (connections are refused).

    The port stays bound, without listening, until the test ends: a port freed at once
    could be taken meanwhile by another test's server (the suite runs in several
    processes), and a TLS client would then meet that server instead of a refusal (a
    server that accepts and closes reads as "unexpected eof" in the TLS handshake). A
    bound port is also never chosen as a connection's own local port, so the client
    cannot connect to itself either.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        yield f"https://127.0.0.1:{port}{BASE}"


def health_profile(sim: SimulatorProcess, *urls: str, **fields: object) -> ConnectionProfile:
    """A health-only connection to ``urls`` (default: every endpoint) trusting the sim's CA."""
    chosen = urls or tuple(e.url for e in sim.info.endpoints)
    tls = {"mode": "ca_file", "ca_file": str(sim.info.ca_file)}
    return ConnectionProfile(
        name="Real deployment", kind="health_only", urls=chosen, tls=tls, **fields
    )
