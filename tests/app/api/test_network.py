"""The asyncio network backend under httpx: streams, timeouts, closed idle connections."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpcore
import httpx
import pytest
import trustme

from app.api.exchange import POOL_LIMITS, Exchanger
from app.api.network import AsyncioBackend, AsyncioHTTPTransport, network_backend_of
from app.api.settings import EndpointSettings

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


@asynccontextmanager
async def tcp_server(handler: Handler) -> AsyncIterator[str]:
    """A plain HTTP/1.1 server on loopback; yields its base URL."""
    handlers: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_the_exchanger_builds_its_pool_on_the_asyncio_backend() -> None:
    async def scenario() -> None:
        exchanger = Exchanger(
            EndpointSettings(urls=("https://mt01.corp.local/EkranSystem",), username="admin"),
            transport=None,
            user_agent="test",
        )
        client = exchanger._http()
        transport = client._transport
        assert isinstance(transport, AsyncioHTTPTransport)
        assert isinstance(network_backend_of(transport), AsyncioBackend)
        assert transport._pool._keepalive_expiry == POOL_LIMITS.keepalive_expiry
        await exchanger.aclose()

    asyncio.run(scenario())


def test_a_connection_is_reused_and_a_server_close_is_noticed() -> None:
    connections: list[int] = []

    async def one_reply_then_close(reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        connections.append(1)
        await read_request(reader)
        w.write(REPLY)
        await w.drain()
        await read_request(reader)  # a second request on the same connection
        w.write(REPLY)
        await w.drain()
        w.close()  # then the server closes the idle connection

    async def scenario() -> None:
        async with (
            tcp_server(one_reply_then_close) as url,
            httpx.AsyncClient(transport=AsyncioHTTPTransport()) as client,
        ):
            for _ in range(2):
                assert (await client.get(url)).text == "ok"
            assert len(connections) == 1
            await asyncio.sleep(0.2)  # the FIN arrives while the connection is idle
            assert (await client.get(url)).text == "ok"  # a new connection, no error
            assert len(connections) == 2

    asyncio.run(scenario())


def test_a_silent_server_times_out_as_a_read_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    async def scenario() -> None:
        async with (
            tcp_server(silent) as url,
            httpx.AsyncClient(transport=AsyncioHTTPTransport(), timeout=0.3) as client,
        ):
            with pytest.raises(httpx.ReadTimeout):
                await client.get(url)

    asyncio.run(scenario())


def test_a_refused_connection_is_a_connect_error() -> None:
    async def scenario() -> None:
        async with httpx.AsyncClient(transport=AsyncioHTTPTransport()) as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"http://127.0.0.1:{free_port()}/")
            original = caught.value.__cause__
            assert isinstance(original, httpcore.ConnectError)
            assert isinstance(original.__cause__ or original.__context__, ConnectionRefusedError)

    asyncio.run(scenario())


def test_a_reply_cut_mid_body_is_a_read_error() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
        await writer.drain()
        writer.transport.abort()

    async def scenario() -> None:
        async with (
            tcp_server(cut) as url,
            httpx.AsyncClient(transport=AsyncioHTTPTransport()) as client,
        ):
            received = 0

            async def download() -> None:
                nonlocal received
                async with client.stream("GET", url) as response:
                    async for piece in response.aiter_raw():
                        received += len(piece)

            with pytest.raises(httpx.TransportError):
                await download()
            assert received == 1000

    asyncio.run(scenario())


def test_a_slow_reader_over_tls_gets_every_byte() -> None:
    """Reading pauses and resumes on the TLS transport, not on the socket under it."""
    body = os.urandom(3 * 1024 * 1024)
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)

    async def large(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        await reader.read()  # until the client closes

    async def scenario() -> None:
        server = await asyncio.start_server(large, "127.0.0.1", 0, ssl=server_context)
        port = server.sockets[0].getsockname()[1]
        received = bytearray()
        transport = AsyncioHTTPTransport(verify=client_context)
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("GET", f"https://127.0.0.1:{port}/") as response,
        ):
            async for piece in response.aiter_raw():
                received += piece
                await asyncio.sleep(0.002)  # the buffer fills and reading pauses
        server.close()
        await server.wait_closed()
        assert bytes(received) == body

    asyncio.run(scenario())
