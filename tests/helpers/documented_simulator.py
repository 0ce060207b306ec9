"""A documented-only simulator (the healthcheck under a custom base path) as fixtures.

Imported by the conftest of each test package that uses them."""

from __future__ import annotations

import socket

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
def closed_url() -> str:
    """A loopback URL on a port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"https://127.0.0.1:{port}{BASE}"


def health_profile(sim: SimulatorProcess, *urls: str, **fields: object) -> ConnectionProfile:
    """A health-only connection to ``urls`` (default: every endpoint) trusting the sim's CA."""
    chosen = urls or tuple(e.url for e in sim.info.endpoints)
    tls = {"mode": "ca_file", "ca_file": str(sim.info.ca_file)}
    return ConnectionProfile(
        name="Real deployment", kind="health_only", urls=chosen, tls=tls, **fields
    )
