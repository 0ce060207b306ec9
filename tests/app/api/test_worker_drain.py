"""Draining a bulk reply into a sink on its worker thread (``WorkerBody.drain_into``)."""

from __future__ import annotations

import asyncio
import errno
import os
import threading

import httpx
import pytest

from app.api.worker_transport import WORKER_BODY, WorkerBody, WorkerThreadTransport
from tests.app.api.test_network import read_request, tcp_server, until, worker_threads

PIECE_LIMIT = 64 * 1024  # httpx's synchronous transport reads at most this much at a time


def transport() -> WorkerThreadTransport:
    return WorkerThreadTransport(httpx.HTTPTransport())


def worker_body(response: httpx.Response) -> WorkerBody:
    body = response.extensions[WORKER_BODY]
    assert isinstance(body, WorkerBody)
    return body


async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (1 << 40))
    while True:
        writer.write(b"x" * 65536)
        await writer.drain()


class Sink:
    """Collects the pieces and the threads it was called on."""

    def __init__(self, keep_going: bool = True) -> None:
        self.data = bytearray()
        self.threads: set[int] = set()
        self.keep_going = keep_going

    def __call__(self, piece: bytes) -> bool:
        self.threads.add(threading.get_ident())
        self.data += piece
        return self.keep_going


def test_a_drained_body_goes_to_the_sink_on_the_worker_and_progress_to_the_loop() -> None:
    body = os.urandom(3 * 1024 * 1024 + 5)

    async def large(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        for start in range(0, len(body), 7000):
            writer.write(body[start : start + 7000])
        await writer.drain()
        await reader.read()

    async def scenario() -> None:
        sink = Sink()
        reports: list[int] = []
        ahead: list[int] = []

        def progressed(done: int) -> None:
            assert threading.get_ident() == loop_thread
            reports.append(done)
            ahead.append(len(sink.data) - done)

        loop_thread = threading.get_ident()
        async with (
            tcp_server(large) as url,
            httpx.AsyncClient(transport=transport()) as client,
            client.stream("GET", url) as response,
        ):
            drained = worker_body(response).drain_into(
                sink, on_progress=progressed, progress_interval=0.0
            )
            assert await drained == len(body)
        assert bytes(sink.data) == body
        assert loop_thread not in sink.threads
        assert reports == sorted(reports)
        assert reports
        assert reports[-1] <= len(body)
        # the worker waits for each report to be delivered before it sends the next one
        assert max(ahead) <= PIECE_LIMIT

    asyncio.run(scenario())


def test_cancelling_a_drain_from_its_progress_stops_the_worker_within_a_piece() -> None:
    async def scenario() -> None:
        sink = Sink()
        cancelled_at: list[int] = []

        def progressed(done: int) -> None:
            if done >= 256 * 1024 and not cancelled_at:
                cancelled_at.append(done)
                draining.cancel()

        async with (
            tcp_server(endless) as url,
            httpx.AsyncClient(transport=transport()) as client,
        ):
            async with client.stream("GET", url) as response:
                draining = asyncio.create_task(
                    worker_body(response).drain_into(
                        sink, on_progress=progressed, progress_interval=0.0
                    )
                )
                with pytest.raises(asyncio.CancelledError):
                    await draining
            await until(lambda: not worker_threads())
        assert len(sink.data) <= cancelled_at[0] + PIECE_LIMIT

    asyncio.run(scenario())


def test_a_sink_that_says_stop_ends_the_body_early() -> None:
    async def scenario() -> None:
        sink = Sink(keep_going=False)
        async with (
            tcp_server(endless) as url,
            httpx.AsyncClient(transport=transport()) as client,
            client.stream("GET", url) as response,
        ):
            assert await worker_body(response).drain_into(sink) == len(sink.data) > 0
            await until(lambda: not worker_threads())

    asyncio.run(scenario())


def test_a_failing_sink_fails_the_drain_and_ends_the_worker() -> None:
    def full_disk(piece: bytes) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device")

    async def scenario() -> None:
        async with (
            tcp_server(endless) as url,
            httpx.AsyncClient(transport=transport()) as client,
            client.stream("GET", url) as response,
        ):
            with pytest.raises(OSError) as caught:
                await worker_body(response).drain_into(full_disk)
            assert caught.value.errno == errno.ENOSPC
            await until(lambda: not worker_threads())

    asyncio.run(scenario())


def test_a_drain_cut_mid_body_hands_over_every_byte_then_the_error() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
        await writer.drain()
        writer.transport.abort()

    async def scenario() -> None:
        sink = Sink()
        async with (
            tcp_server(cut) as url,
            httpx.AsyncClient(transport=transport()) as client,
            client.stream("GET", url) as response,
        ):
            with pytest.raises(httpx.TransportError):
                await worker_body(response).drain_into(sink)
        assert bytes(sink.data) == b"x" * 1000

    asyncio.run(scenario())


def test_a_body_is_drained_or_iterated_once() -> None:
    async def scenario() -> None:
        async with (
            tcp_server(endless) as url,
            httpx.AsyncClient(transport=transport()) as client,
            client.stream("GET", url) as response,
        ):
            body = worker_body(response)
            assert await body.drain_into(Sink(keep_going=False)) > 0
            with pytest.raises(httpx.StreamConsumed):
                await body.drain_into(Sink())
            with pytest.raises(httpx.StreamConsumed):
                async for _piece in body:
                    pass

    asyncio.run(scenario())
