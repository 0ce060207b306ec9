"""Review findings for the asyncio network layer: proactor-style delivery, TLS at the end
of a stream, handshake timeouts, concurrent reads."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import ssl
import threading
import time
from asyncio import protocols

import httpx
import pytest
import trustme

from app.api.errors import UnreachableError, UnreachableReason
from app.api.network import AsyncioBackend, AsyncioHTTPTransport, AsyncioStream
from app.api.stream_protocol import MAX_BYTES, MIN_FREE_BYTES, ReceivingProtocol
from app.api.transport_errors import transport_error

PROACTOR_READ = 64 * 1024  # _ProactorReadPipeTransport's receive buffer


class ProactorLikeTransport(asyncio.Transport):
    """Delivers data the way CPython 3.11's ``_ProactorReadPipeTransport`` does.

    A completed read is fed with ``protocols._feed_data_to_buffered_proto``, which keeps
    calling ``get_buffer`` for the rest of the read even after the protocol paused
    reading (and fails the connection on an empty buffer); a read that completes while
    paused is held and fed after ``resume_reading()``.
    """

    def __init__(self, protocol: ReceivingProtocol) -> None:
        super().__init__()
        self.protocol = protocol
        self.paused = False
        self.held: bytes | None = None
        self.failure: BaseException | None = None

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        if not self.paused:
            return
        self.paused = False
        if self.held is not None:
            asyncio.get_running_loop().call_soon(self._deliver_held)

    def _deliver_held(self) -> None:
        data, self.held = self.held, None
        assert data is not None
        self.deliver(data)

    def deliver(self, data: bytes) -> None:
        if self.paused:
            assert self.held is None
            self.held = data
            return
        try:
            protocols._feed_data_to_buffered_proto(self.protocol, data)
        except Exception as exc:  # what _fatal_error does: the connection is lost
            self.failure = exc
            self.protocol.connection_lost(exc)


async def test_a_proactor_read_that_does_not_fit_is_taken_whole() -> None:
    """On Windows (proactor loop) a read larger than the room left once the buffer is at
    its maximum used to fail with "get_buffer() returned an empty buffer"."""
    protocol = ReceivingProtocol()
    transport = ProactorLikeTransport(protocol)
    protocol.connection_made(transport)
    body = os.urandom(4 * 1024 * 1024)
    rng = random.Random(1)

    async def network() -> None:
        sent = 0
        while sent < len(body):
            while transport.held is not None:  # noqa: ASYNC110 - a fake transport's state
                await asyncio.sleep(0)
            size = rng.randint(1000, PROACTOR_READ)
            transport.deliver(body[sent : sent + size])
            sent += size
            await asyncio.sleep(0)
        while transport.held is not None:  # noqa: ASYNC110 - a fake transport's state
            await asyncio.sleep(0)
        protocol.eof_received()

    feeding = asyncio.ensure_future(network())
    received = bytearray()
    while True:
        await asyncio.sleep(0.001)  # a slow reader: the buffer reaches its maximum
        piece = await protocol.read(256 * 1024)
        if not piece:
            break
        received += piece
    await feeding
    assert transport.failure is None
    assert bytes(received) == body
    assert protocol.capacity <= MAX_BYTES + PROACTOR_READ + MIN_FREE_BYTES


async def test_get_buffer_is_never_empty_even_while_paused() -> None:
    protocol = ReceivingProtocol(initial=64 * 1024, maximum=64 * 1024)
    transport = ProactorLikeTransport(protocol)
    protocol.connection_made(transport)
    transport.deliver(os.urandom(60 * 1024))
    assert transport.paused
    assert len(protocol.get_buffer(20 * 1024)) >= 20 * 1024
    assert len(protocol.get_buffer(-1)) >= 1


async def test_a_second_concurrent_read_is_refused() -> None:
    """Two waiting readers used to share one waiter: the first never woke up."""
    protocol = ReceivingProtocol()
    protocol.connection_made(ProactorLikeTransport(protocol))
    first = asyncio.ensure_future(protocol.read(100))
    await asyncio.sleep(0)
    async with asyncio.timeout(2):  # before the guard, the second read waited forever
        with pytest.raises(RuntimeError, match="another read"):
            await protocol.read(100)
    protocol.eof_received()
    assert await first == b""


def _tls_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def _send_then_close(
    listener: socket.socket, context: ssl.SSLContext, body: bytes, seed: int
) -> None:
    """A TLS server that sends ``body`` in uneven pieces, then closes its side with a
    plain FIN, as a server closing after its reply may."""
    rng = random.Random(seed)
    connection, _ = listener.accept()
    with context.wrap_socket(connection, server_side=True) as tls:
        sent = 0
        while sent < len(body):
            size = rng.choice((1000, 16384, 100_000, 300_000))
            tls.sendall(body[sent : sent + size])
            sent += size
            if rng.random() < 0.3:
                time.sleep(rng.random() * 0.005)
        socket.socket.shutdown(tls, socket.SHUT_WR)
        tls.settimeout(5)
        with contextlib.suppress(OSError):
            tls.recv(1)


# Seed 23 truncated the stream by 5,278 bytes every time before the fix.
@pytest.mark.parametrize("seed", [23, 0, 1, 2])
async def test_the_tail_of_a_tls_stream_survives_the_server_closing(seed: int) -> None:
    """asyncio's TLS layer decrypts what it holds into ONE buffer when the peer closes and
    drops the rest; the buffer offered must hold it all (a truncated download before)."""
    rng = random.Random(seed)
    server_context, client_context = _tls_contexts()
    body = os.urandom(rng.randint(100_000, 3_000_000))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = threading.Thread(
        target=_send_then_close, args=(listener, server_context, body, seed), daemon=True
    )
    server.start()
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_connection(
        ReceivingProtocol, "127.0.0.1", port, ssl=client_context, server_hostname="127.0.0.1"
    )
    received = bytearray()
    try:
        await asyncio.sleep(rng.random() * 0.05)
        while True:
            piece = await protocol.read(256 * 1024)
            if not piece:
                break
            received += piece
            if rng.random() < 0.5:
                await asyncio.sleep(rng.random() * 0.01)  # falls behind now and then
    finally:
        transport.abort()
        await asyncio.to_thread(server.join, 5)
        listener.close()
    assert len(received) == len(body)
    assert bytes(received) == body


async def test_the_buffer_offered_holds_what_the_tls_layer_says_it_has() -> None:
    """The contract the test above depends on, without timing: ``sizehint`` (the
    encrypted bytes the TLS layer holds) plus one record, however full the buffer is."""
    for held in (0, 300_000, MAX_BYTES - 2 * MIN_FREE_BYTES, MAX_BYTES):
        protocol = ReceivingProtocol()
        protocol.connection_made(ProactorLikeTransport(protocol))
        while held:
            buffer = protocol.get_buffer(-1)
            count = min(len(buffer), held)
            assert count > 0
            del buffer
            protocol.buffer_updated(count)
            held -= count
        for hint in (0, 100_000, 300_000):
            assert len(protocol.get_buffer(hint)) >= hint + MIN_FREE_BYTES


async def test_a_stalled_tls_handshake_is_a_connect_timeout() -> None:
    """asyncio's own handshake timer raised ConnectionAbortedError, which became a
    ConnectError ("check the URL") instead of a timeout."""
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await reader.read()  # never answers the ClientHello

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    try:
        async with httpx.AsyncClient(
            transport=AsyncioHTTPTransport(), timeout=httpx.Timeout(5.0, connect=0.3)
        ) as client:
            with pytest.raises(httpx.ConnectTimeout) as caught:
                await client.get(url)
        error = transport_error(caught.value, url)
        assert isinstance(error, UnreachableError)
        assert error.reason is UnreachableReason.TIMEOUT
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


def _handshake_then_stay(
    listener: socket.socket, context: ssl.SSLContext, release: threading.Event
) -> None:
    """A TLS server that never answers the client's close_notify: a client closing
    gracefully would wait for it (asyncio's TLS shutdown timeout is 30 s)."""
    connection, _ = listener.accept()
    with context.wrap_socket(connection, server_side=True) as tls:
        tls.settimeout(5)
        with contextlib.suppress(OSError):
            tls.recv(1)  # the client's close_notify: not answered
        release.wait(5)


async def test_closing_a_stream_that_is_already_closing_drops_its_socket() -> None:
    server_context, client_context = _tls_contexts()
    listener = socket.create_server(("127.0.0.1", 0))
    release = threading.Event()
    server = threading.Thread(
        target=_handshake_then_stay,
        args=(listener, server_context, release),
        daemon=True,
    )
    server.start()
    try:
        plain = await AsyncioBackend().connect_tcp("127.0.0.1", listener.getsockname()[1])
        stream = await plain.start_tls(client_context, server_hostname="127.0.0.1", timeout=5)
        assert isinstance(stream, AsyncioStream)
        stream._transport.close()  # a graceful close, waiting for the server's answer
        await asyncio.sleep(0.1)
        assert not stream._protocol.lost
        started = time.monotonic()
        await stream.aclose()
        assert stream._protocol.lost
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        await asyncio.to_thread(server.join, 5)
        listener.close()
