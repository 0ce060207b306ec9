"""LogStream: a body of known length read in blocks straight from the connection, and
the failures of that path (cut, stalled), against local HTTP servers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from app.api.errors import UnreachableError, UnreachableReason
from app.api.logstream import LogStream
from app.api.network import AsyncioHTTPTransport, AsyncioStream
from tests.app.api.test_network import Handler, read_request, tcp_server

HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n{framing}\r\n\r\n"
PAYLOAD = os.urandom(3 * 1024 * 1024 + 123)


def head(framing: str) -> bytes:
    return HEAD.format(framing=framing).encode("ascii")


@asynccontextmanager
async def log_stream(handler: Handler, *, read_timeout: float = 5.0) -> AsyncIterator[LogStream]:
    """A LogStream over a local server's reply to one GET."""
    async with (
        tcp_server(handler) as url,
        httpx.AsyncClient(
            transport=AsyncioHTTPTransport(), timeout=httpx.Timeout(5.0, read=read_timeout)
        ) as client,
    ):
        response = await client.send(client.build_request("GET", url + "/logs"), stream=True)
        try:
            yield LogStream(response, requested_offset=0, url=url)
        finally:
            await response.aclose()


async def collect(stream: LogStream) -> tuple[list[bytes | memoryview], bytes]:
    chunks = [chunk async for chunk in stream.aiter_bytes()]
    return chunks, b"".join(bytes(chunk) for chunk in chunks)


async def read_into(stream: LogStream, received: bytearray) -> None:
    async for chunk in stream.aiter_bytes():
        received += chunk


async def send_whole_payload(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(head(f"Content-Length: {len(PAYLOAD)}"))
    for start in range(0, len(PAYLOAD), 100_000):
        writer.write(PAYLOAD[start : start + 100_000])
        await writer.drain()


async def test_a_body_of_known_length_is_read_in_blocks_from_the_connection() -> None:
    reads_in_blocks: list[int] = []
    original = AsyncioStream.read_block

    async def counting(self: AsyncioStream, *args: object) -> memoryview:
        block = await original(self, *args)  # type: ignore[arg-type]
        reads_in_blocks.append(len(block))
        return block

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncioStream, "read_block", counting)
        async with log_stream(send_whole_payload) as stream:
            chunks, body = await collect(stream)
    assert body == PAYLOAD
    assert sum(reads_in_blocks) >= len(PAYLOAD) - 256 * 1024  # all but the parser's share
    assert any(isinstance(chunk, memoryview) for chunk in chunks)


async def test_a_chunked_body_is_framed_by_httpx_and_joined() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head("Transfer-Encoding: chunked"))
        for start in range(0, len(PAYLOAD), 200_000):
            piece = PAYLOAD[start : start + 200_000]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async with log_stream(chunked) as stream:
        chunks, body = await collect(stream)
    assert body == PAYLOAD
    assert all(isinstance(chunk, bytes) for chunk in chunks)


async def test_a_body_cut_short_keeps_its_bytes_then_reports_the_lost_connection() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head(f"Content-Length: {len(PAYLOAD)}") + PAYLOAD[:700_000])
        await writer.drain()
        writer.close()

    received = bytearray()
    async with log_stream(cut) as stream:
        with pytest.raises(UnreachableError) as caught:
            await read_into(stream, received)
    assert caught.value.reason is UnreachableReason.CONNECTION_LOST
    assert bytes(received) == PAYLOAD[:700_000]


async def test_a_stalled_body_keeps_its_bytes_then_times_out() -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head(f"Content-Length: {len(PAYLOAD)}") + PAYLOAD[:300_000])
        await writer.drain()
        await reader.read()  # silent until the client gives up and closes

    received = bytearray()
    async with log_stream(stall, read_timeout=0.3) as stream:
        with pytest.raises(UnreachableError) as caught:
            await read_into(stream, received)
    assert caught.value.reason is UnreachableReason.TIMEOUT
    assert bytes(received) == PAYLOAD[:300_000]


async def test_the_connection_of_a_block_read_body_is_closed_and_the_next_request_works() -> None:
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while True:
            await send_whole_payload(reader, writer)

    async with (
        tcp_server(serve) as url,
        httpx.AsyncClient(transport=AsyncioHTTPTransport()) as client,
    ):
        for _ in range(2):
            response = await client.send(client.build_request("GET", url + "/logs"), stream=True)
            stream = LogStream(response, requested_offset=0, url=url)
            _, body = await collect(stream)
            assert body == PAYLOAD
    assert len(connections) == 2  # a connection whose parser was bypassed is not reused
