"""ReceivingProtocol.read_block: a large body taken in blocks, without copies."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from app.api.stream_protocol import BLOCK_BYTES
from tests.app.api.test_stream_protocol import connected, receive

KIB = 1024


async def test_a_block_waits_for_its_minimum_then_holds_everything_received() -> None:
    protocol = await connected(initial=64 * KIB, maximum=1024 * KIB)
    payload = os.urandom(300 * KIB)
    reading = asyncio.ensure_future(protocol.read_block(256 * KIB, 10 * 1024 * KIB))
    receive(protocol, payload[: 200 * KIB])
    await asyncio.sleep(0)
    assert protocol._data_waiter is not None
    assert not protocol._data_waiter.done()  # not woken for bytes below the minimum
    await asyncio.sleep(0)
    assert not reading.done()
    receive(protocol, payload[200 * KIB :])
    block = await reading
    assert bytes(block) == payload


async def test_the_minimum_is_capped_so_a_block_never_outgrows_the_buffer() -> None:
    protocol = await connected(initial=64 * KIB, maximum=1024 * KIB)
    reading = asyncio.ensure_future(protocol.read_block(64 * 1024 * KIB, 64 * 1024 * KIB))
    receive(protocol, b"x" * BLOCK_BYTES)
    block = await asyncio.wait_for(reading, 1.0)
    assert len(block) == BLOCK_BYTES


async def test_a_block_is_the_buffer_itself_and_the_buffer_is_reused_once_dropped() -> None:
    protocol = await connected(initial=64 * KIB, maximum=256 * KIB)
    receive(protocol, b"a" * 100 * KIB)
    first = await protocol.read_block(1, 1024 * KIB)
    first_buffer = first.obj
    assert isinstance(first_buffer, bytearray)  # handed over, not copied

    receive(protocol, b"b" * 100 * KIB)
    second = await protocol.read_block(1, 1024 * KIB)
    assert second.obj is not first_buffer  # the first block is still alive: not reused
    assert bytes(first) == b"a" * 100 * KIB  # and not overwritten

    del first  # no view of the first buffer is left: the next hand-over receives into it
    receive(protocol, b"c" * 100 * KIB)
    third = await protocol.read_block(1, 1024 * KIB)
    receive(protocol, b"d" * 100 * KIB)
    fourth = await protocol.read_block(1, 1024 * KIB)
    assert fourth.obj is first_buffer
    assert bytes(fourth) == b"d" * 100 * KIB
    assert bytes(third) == b"c" * 100 * KIB
    assert bytes(second) == b"b" * 100 * KIB


async def test_a_block_up_to_max_bytes_is_a_copy_and_the_rest_stays() -> None:
    protocol = await connected()
    payload = os.urandom(50 * KIB)
    receive(protocol, payload)
    block = await protocol.read_block(1, 10 * KIB)
    assert isinstance(block.obj, bytes)
    assert bytes(block) == payload[: 10 * KIB]
    assert await protocol.read(1024 * KIB) == payload[10 * KIB :]


async def test_the_end_gives_what_is_left_then_empty_blocks() -> None:
    protocol = await connected()
    receive(protocol, b"tail")
    protocol.eof_received()
    assert bytes(await protocol.read_block(1024 * KIB, 1024 * KIB)) == b"tail"
    assert len(await protocol.read_block(1024 * KIB, 1024 * KIB)) == 0


async def test_an_error_comes_after_the_bytes_received_before_it() -> None:
    protocol = await connected()
    receive(protocol, b"partial")
    protocol.connection_lost(ConnectionResetError("reset by peer"))
    assert bytes(await protocol.read_block(1024 * KIB, 1024 * KIB)) == b"partial"
    with pytest.raises(ConnectionResetError):
        await protocol.read_block(1024 * KIB, 1024 * KIB)


async def test_a_paused_transport_wakes_the_block_reader() -> None:
    protocol = await connected(initial=64 * KIB, maximum=64 * KIB)
    reading = asyncio.ensure_future(protocol.read_block(BLOCK_BYTES, 1024 * KIB))
    receive(protocol, b"x" * 60 * KIB)  # reading pauses below the block's minimum
    assert protocol.transport.paused  # type: ignore[union-attr]
    block = await asyncio.wait_for(reading, 1.0)
    assert len(block) == 60 * KIB
    assert not protocol.transport.paused  # type: ignore[union-attr]


async def test_silence_ends_a_block_wait_after_the_idle_timeout() -> None:
    protocol = await connected()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await protocol.read_block(BLOCK_BYTES, 1024 * KIB, idle_timeout=0.2)
    assert time.monotonic() - started >= 0.2


async def test_a_slow_but_steady_sender_does_not_time_out() -> None:
    protocol = await connected()

    async def trickle() -> None:
        for _ in range(8):  # 0.4 s in all, never 0.2 s without bytes
            await asyncio.sleep(0.05)
            receive(protocol, b"x" * KIB)
        receive(protocol, b"y" * 64 * KIB)

    sender = asyncio.ensure_future(trickle())
    block = await protocol.read_block(72 * KIB, 1024 * KIB, idle_timeout=0.2)
    await sender
    assert len(block) == 72 * KIB


async def test_bytes_before_a_silence_come_first_then_the_timeout() -> None:
    protocol = await connected()
    receive(protocol, b"before the silence")
    started = time.monotonic()
    block = await protocol.read_block(BLOCK_BYTES, 1024 * KIB, idle_timeout=0.2)
    assert bytes(block) == b"before the silence"
    assert time.monotonic() - started >= 0.2
    with pytest.raises(TimeoutError):  # still silent: at once
        await asyncio.wait_for(protocol.read_block(1, 1024 * KIB, idle_timeout=5.0), 1.0)


async def test_after_a_timeout_a_new_wait_starts_afresh() -> None:
    protocol = await connected()
    with pytest.raises(TimeoutError):
        await protocol.read_block(1, 1024 * KIB, idle_timeout=0.1)
    reading = asyncio.ensure_future(protocol.read_block(1, 1024 * KIB, idle_timeout=5.0))
    await asyncio.sleep(0.2)
    assert not reading.done()
    receive(protocol, b"late")
    assert bytes(await reading) == b"late"
