"""ReceivingProtocol: bytes in order, growth, pausing, end of stream and errors."""

from __future__ import annotations

import asyncio
import os

import pytest

from app.api.stream_protocol import MIN_FREE_BYTES, ReceivingProtocol


class FakeTransport(asyncio.Transport):
    """Records pause/resume calls; nothing is sent anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.paused = False
        self.pauses = 0

    def pause_reading(self) -> None:
        self.paused = True
        self.pauses += 1

    def resume_reading(self) -> None:
        self.paused = False


def receive(protocol: ReceivingProtocol, data: bytes) -> None:
    """Deliver ``data`` the way a transport does: into the buffers the protocol offers."""
    while data:
        buffer = protocol.get_buffer(-1)
        assert len(buffer) >= 1
        count = min(len(buffer), len(data))
        buffer[:count] = data[:count]
        del buffer
        protocol.buffer_updated(count)
        data = data[count:]


async def connected(initial: int = 64 * 1024, maximum: int = 256 * 1024) -> ReceivingProtocol:
    protocol = ReceivingProtocol(initial, maximum)
    protocol.connection_made(FakeTransport())
    return protocol


async def test_bytes_come_out_in_order_as_the_buffer_grows() -> None:
    protocol = await connected()
    payload = os.urandom(200 * 1024)
    receive(protocol, payload)
    assert protocol.capacity == 256 * 1024
    out = b""
    while len(out) < len(payload):
        out += await protocol.read(10_000)
    assert out == payload


async def test_reading_pauses_when_full_and_resumes_after_reads() -> None:
    protocol = await connected(initial=64 * 1024, maximum=64 * 1024)
    transport = protocol.transport
    assert isinstance(transport, FakeTransport)
    first = os.urandom(64 * 1024 - MIN_FREE_BYTES + 1)
    receive(protocol, first)
    assert transport.paused
    # a partial read that leaves most bytes unread: the rest moves to the front
    head = await protocol.read(MIN_FREE_BYTES)
    assert not transport.paused
    second = os.urandom(MIN_FREE_BYTES - 1)
    receive(protocol, second)
    rest = await protocol.read(1024 * 1024)
    assert head + rest == first + second


async def test_a_read_waits_for_data() -> None:
    protocol = await connected()
    reading = asyncio.ensure_future(protocol.read(100))
    await asyncio.sleep(0)
    assert not reading.done()
    receive(protocol, b"hello")
    assert await reading == b"hello"


async def test_end_of_stream_after_the_last_bytes() -> None:
    protocol = await connected()
    receive(protocol, b"last")
    protocol.eof_received()
    assert not protocol.at_eof
    assert await protocol.read(100) == b"last"
    assert protocol.at_eof
    assert await protocol.read(100) == b""


async def test_a_lost_connection_raises_after_the_bytes_before_it() -> None:
    protocol = await connected()
    receive(protocol, b"partial")
    protocol.connection_lost(ConnectionResetError("reset by peer"))
    assert await protocol.read(100) == b"partial"
    with pytest.raises(ConnectionResetError):
        await protocol.read(100)
    with pytest.raises(ConnectionResetError):
        await protocol.drain()
    await protocol.wait_closed()


async def test_drain_waits_while_writing_is_paused() -> None:
    protocol = await connected()
    protocol.pause_writing()
    draining = asyncio.ensure_future(protocol.drain())
    await asyncio.sleep(0)
    assert not draining.done()
    protocol.resume_writing()
    await draining


def test_an_unusable_size_is_refused() -> None:
    with pytest.raises(ValueError, match="initial"):
        ReceivingProtocol(initial=1024)
