"""Through an HTTP proxy (CONNECT) to the simulator: TLS is started inside the tunnel."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import pytest

from app.api.client import ManagementClient
from app.api.errors import UnreachableError, UnreachableReason
from app.api.settings import ProxyMode, ProxySetting
from tests.app.api.simclient import admin_password, sim_settings
from tests.helpers.simulator_process import SimulatorProcess


@dataclasses.dataclass
class ConnectProxy:
    """A minimal HTTP CONNECT proxy on 127.0.0.1 that records the targets it was asked for."""

    url: str = ""
    targets: list[str] = dataclasses.field(default_factory=list)
    refuse: bool = False


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        with suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
    finally:
        writer.close()


@asynccontextmanager
async def connect_proxy(*, refuse: bool = False) -> AsyncIterator[ConnectProxy]:
    proxy = ConnectProxy(refuse=refuse)
    pipes: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        method, target, _ = head.split("\r\n", 1)[0].split(" ", 2)
        proxy.targets.append(f"{method} {target}")
        if method != "CONNECT" or proxy.refuse:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        host, port = target.rsplit(":", 1)
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        for task in (
            asyncio.ensure_future(_pipe(reader, upstream_writer)),
            asyncio.ensure_future(_pipe(upstream_reader, writer)),
        ):
            pipes.add(task)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield proxy
    finally:
        server.close()
        for task in pipes:
            task.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        await server.wait_closed()
        await asyncio.sleep(0)  # the closed transports report their end


async def test_a_proxy_tunnels_the_calls_and_tls_is_checked_end_to_end(
    shared_simulator: SimulatorProcess,
) -> None:
    async with connect_proxy() as proxy:
        settings = dataclasses.replace(
            sim_settings(shared_simulator, urls=(shared_simulator.url,)),
            proxy=ProxySetting(mode=ProxyMode.URL, url=proxy.url),
        )
        async with ManagementClient(settings, admin_password(shared_simulator)) as client:
            snapshot = await client.cluster()
            again = await client.cluster()
    assert len(snapshot.servers) == len(shared_simulator.info.endpoints)
    assert not again.changed or again.servers
    host_port = shared_simulator.url.split("://", 1)[1].split("/", 1)[0]
    assert proxy.targets == [f"CONNECT {host_port}"]  # one tunnel, kept alive


async def test_a_proxy_that_refuses_is_named_as_the_problem(
    shared_simulator: SimulatorProcess,
) -> None:
    async with connect_proxy(refuse=True) as proxy:
        settings = dataclasses.replace(
            sim_settings(shared_simulator, urls=(shared_simulator.url,)),
            proxy=ProxySetting(mode=ProxyMode.URL, url=proxy.url),
        )
        async with ManagementClient(settings, admin_password(shared_simulator)) as client:
            with pytest.raises(UnreachableError) as caught:
                await client.cluster()
    assert caught.value.reason is UnreachableReason.PROXY
    assert "proxy" in caught.value.message
