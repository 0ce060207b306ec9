"""Helpers for tests that drive ``ManagementClient`` against the simulator process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from app.api.settings import EndpointSettings, ProxyMode, ProxySetting, TlsTrust, TrustMode
from tests.helpers.simulator_process import SimulatorProcess


class CountingPassword:
    """A password source that counts how often the client asked for the password."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        return self.value


def ca_trust(sim: SimulatorProcess) -> TlsTrust:
    return TlsTrust(mode=TrustMode.CA_FILE, ca_file=sim.info.ca_file)


def sim_settings(
    sim: SimulatorProcess,
    *,
    urls: tuple[str, ...] | None = None,
    username: str | None = None,
    trust: TlsTrust | None = None,
    read_timeout: float = 15.0,
) -> EndpointSettings:
    """Settings for the simulator's endpoints (default: all, in server order), no proxy."""
    return EndpointSettings(
        urls=urls or tuple(e.url for e in sim.info.endpoints),
        username=username or sim.info.username,
        trust=trust or ca_trust(sim),
        proxy=ProxySetting(mode=ProxyMode.NONE),
        connect_timeout=5.0,
        read_timeout=read_timeout,
    )


def admin_password(sim: SimulatorProcess) -> CountingPassword:
    return CountingPassword(sim.info.password)


def requests_seen(sim: SimulatorProcess, server_id: str | None = None) -> list[dict[str, Any]]:
    """Requests the simulator's Management Tool endpoints answered, oldest first."""
    query = "requests?limit=1000" + (f"&server_id={server_id}" if server_id else "")
    records: list[dict[str, Any]] = sim.control("GET", query)
    return records


def token_requests(sim: SimulatorProcess, server_id: str | None = None) -> list[dict[str, Any]]:
    return [r for r in requests_seen(sim, server_id) if r["path"].endswith("/api/v1/auth/token")]


def stop_server_now(sim: SimulatorProcess, server_id: str) -> None:
    """Stop a server and advance simulated time until its process is stopped."""
    sim.stop_server(server_id)
    wait_until(
        lambda: _process(sim.control("POST", "advance", {"seconds": 10}), server_id) == "stopped",
        what=f"{server_id} to stop",
    )


def _process(state: dict[str, Any], server_id: str) -> str:
    return str(next(s["process"] for s in state["servers"] if s["id"] == server_id))


def wait_until(condition: Callable[[], bool], *, timeout: float = 20.0, what: str = "") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


async def async_wait_until(
    condition: Callable[[], bool], *, within: float = 20.0, what: str = ""
) -> None:
    """``wait_until`` for async tests: yields to the event loop between checks."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.02)
