"""The endpoint report against the simulator: when the configured URLs fail (two
servers stopped, so their endpoints answer 503, and a third URL refused), the monitor
goes on through another server's own endpoint from the last snapshot and says so; when
that fails too, the stale banner lists every endpoint tried with its own result."""

from __future__ import annotations

import asyncio
import socket

from app.monitor import ConnectionState
from tests.app.monitor.test_monitor_live import client_for, fast
from tests.conftest import StartSimulator
from tests.ui.conftest import wait_until
from ui.cluster.stale_banner import StaleBanner

FROZEN = ("--time-scale", "0", "--seed", "3")


def refused_url() -> str:
    """A loopback URL nothing listens on (the port was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"https://127.0.0.1:{port}/EkranSystem"


async def test_another_servers_endpoint_serves_and_every_endpoint_is_reported(
    start_simulator: StartSimulator,
) -> None:
    sim = start_simulator("--servers", "3", *FROZEN)
    first, second, third = sim.info.endpoints
    refused = refused_url()
    async with client_for(sim, [first.url, second.url, refused]) as client:
        monitor = fast(client)
        monitor.start()
        await wait_until(lambda: monitor.status.state is ConnectionState.CONNECTED)
        await asyncio.to_thread(sim.stop_server, first.server_id)
        await asyncio.to_thread(sim.stop_server, second.server_id)

        # The configured URLs fail; the third server's own endpoint serves.
        await wait_until(lambda: monitor.status.active_url == third.url)
        status = monitor.status
        assert status.error is None
        tried = [(a.url, a.served, a.from_cluster) for a in status.attempts]
        assert tried == [
            (first.url, False, False),
            (second.url, False, False),
            (refused, False, False),
            (third.url, True, True),
        ]
        outcomes = [a.outcome for a in status.attempts]
        assert "503" in outcomes[0]
        assert "503" in outcomes[1]
        assert "refused" in outcomes[2]
        assert outcomes[3] == "answered"

        # Then that one stops too: stale, and the banner names every endpoint.
        await asyncio.to_thread(sim.stop_server, third.server_id)
        await wait_until(lambda: monitor.status.state is ConnectionState.STALE)
        stale = monitor.status
        await monitor.stop()

    assert {a.url for a in stale.attempts} == {first.url, second.url, refused, third.url}
    assert not any(a.served for a in stale.attempts)
    banner = StaleBanner()
    try:
        banner.set_status(stale)
        assert "none of the 4 endpoints tried answered" in banner.message
        details = banner.details.splitlines()
        listed = details[details.index("Endpoints tried:") + 1 : -1]
        assert len(listed) == 4
        assert details[-1].startswith("Last error: ")
        for attempt in stale.attempts:
            line = next(line for line in listed if attempt.url in line)
            assert attempt.outcome.rstrip(".")[:40] in line
        third_line = next(line for line in listed if third.url in line)
        assert "a server's own endpoint" in third_line
        assert "503" in next(line for line in listed if first.url in line)
        assert "refused" in next(line for line in listed if refused in line)
    finally:
        banner.deleteLater()
