"""Saved-connection profiles for tests, including one that reaches a running simulator."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from app.api.settings import TrustMode
from app.connections import ConnectionProfile, TlsOptions
from tests.helpers.simulator_process import SimulatorProcess

MakeProfile = Callable[..., ConnectionProfile]


def simulator_profile(sim: SimulatorProcess, **overrides: Any) -> ConnectionProfile:
    """A connection to every endpoint of ``sim``, trusting its CA, polling every 0.5 s."""
    fields: dict[str, Any] = {
        "name": "Simulated cluster",
        "urls": [endpoint.url for endpoint in sim.info.endpoints],
        "username": sim.info.username,
        "tls": TlsOptions(mode=TrustMode.CA_FILE, ca_file=str(sim.info.ca_file)),
        "poll_interval_s": 0.5,
    }
    fields.update(overrides)
    return ConnectionProfile(**fields)


def simulator_password(sim: SimulatorProcess) -> Callable[[], Awaitable[str]]:
    """A password source that answers the simulator's administrator password."""
    password = sim.info.password

    async def source() -> str:
        return password

    return source


def profile_factory() -> MakeProfile:
    """Builds valid, distinct profiles; keyword arguments override the defaults."""
    counter = itertools.count(1)

    def make(**overrides: Any) -> ConnectionProfile:
        number = next(counter)
        fields: dict[str, Any] = {
            "name": f"Cluster {number}",
            "urls": [f"mt{number}.corp.example:8443"],
            "username": "admin",
        }
        fields.update(overrides)
        return ConnectionProfile(**fields)

    return make
