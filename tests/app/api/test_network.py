"""The network under the API client: httpx's own transports, and the worker-thread one
for bulk replies. Each behaviour is checked on both."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import ssl
import threading
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
import trustme

from app.api.completing_transport import CompletingTransport
from app.api.errors import UnreachableError, UnreachableReason
from app.api.exchange import BULK_POOL_LIMITS, POOL_LIMITS, Exchanger
from app.api.settings import EndpointSettings, TlsTrust, TrustMode
from app.api.tls import DrainingSSLSocket, build_ssl_context
from app.api.transport_errors import transport_error
from app.api.worker_transport import WorkerThreadTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
TransportFactory = Callable[..., httpx.AsyncBaseTransport]


def stock(**arguments: object) -> httpx.AsyncBaseTransport:
    return CompletingTransport(httpx.AsyncHTTPTransport(**arguments))  # type: ignore[arg-type]


def worker(**arguments: object) -> httpx.AsyncBaseTransport:
    return WorkerThreadTransport(httpx.HTTPTransport(**arguments), chunk_size=64 * 1024)  # type: ignore[arg-type]


BOTH = pytest.mark.parametrize("make", [stock, worker], ids=["stock", "worker-thread"])


@asynccontextmanager
async def tcp_server(
    handler: Handler, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """An HTTP/1.1 server on loopback; yields its base URL."""
    handlers: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=ssl_context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"
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


def tls_pair() -> tuple[ssl.SSLContext, trustme.CA]:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    return server_context, ca


def test_the_exchanger_uses_stock_transports_and_a_worker_thread_one_for_bulk() -> None:
    async def scenario() -> None:
        exchanger = Exchanger(
            EndpointSettings(urls=("https://mt01.corp.local/EkranSystem",), username="admin"),
            transport=None,
            user_agent="test",
        )
        api = exchanger._http()._transport
        bulk = exchanger._http(bulk=True)._transport
        assert isinstance(api, CompletingTransport)
        assert type(api.transport) is httpx.AsyncHTTPTransport
        assert api.transport._pool._keepalive_expiry == POOL_LIMITS.keepalive_expiry
        assert isinstance(bulk, WorkerThreadTransport)
        assert type(bulk.transport) is httpx.HTTPTransport
        assert bulk.transport._pool._keepalive_expiry == BULK_POOL_LIMITS.keepalive_expiry
        await exchanger.aclose()

    asyncio.run(scenario())


@BOTH
def test_a_connection_is_reused_and_a_server_close_is_noticed(make: TransportFactory) -> None:
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
            httpx.AsyncClient(transport=make()) as client,
        ):
            for _ in range(2):
                assert (await client.get(url)).text == "ok"
            assert len(connections) == 1
            await asyncio.sleep(0.2)  # the FIN arrives while the connection is idle
            assert (await client.get(url)).text == "ok"  # a new connection, no error
            assert len(connections) == 2

    asyncio.run(scenario())


@BOTH
def test_a_silent_server_times_out_as_a_read_timeout(make: TransportFactory) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    async def scenario() -> None:
        async with (
            tcp_server(silent) as url,
            httpx.AsyncClient(transport=make(), timeout=0.3) as client,
        ):
            with pytest.raises(httpx.ReadTimeout):
                await client.get(url)

    asyncio.run(scenario())


@BOTH
def test_a_refused_connection_is_a_connect_error(make: TransportFactory) -> None:
    async def scenario() -> None:
        async with httpx.AsyncClient(transport=make()) as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"http://127.0.0.1:{free_port()}/")
            error = transport_error(caught.value, "http://127.0.0.1/")
            assert isinstance(error, UnreachableError)
            assert error.reason is UnreachableReason.REFUSED

    asyncio.run(scenario())


@BOTH
def test_a_reply_cut_mid_body_is_a_read_error(make: TransportFactory) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
        await writer.drain()
        writer.transport.abort()

    async def scenario() -> None:
        async with (
            tcp_server(cut) as url,
            httpx.AsyncClient(transport=make()) as client,
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


@BOTH
def test_a_slow_reader_over_tls_gets_every_byte(make: TransportFactory) -> None:
    """A consumer slower than the network still gets every byte, in order."""
    body = os.urandom(3 * 1024 * 1024)
    server_context, ca = tls_pair()
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
        transport = make(verify=client_context)
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


class RecordingTransport(httpx.BaseTransport):
    """A synchronous transport that notes the thread each request is sent from."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.threads: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.threads.append(threading.get_ident())
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


_EARLIER_WORKERS: set[threading.Thread] = set()
"""Worker threads alive when the running test started (see ``earlier_workers_left_out``)."""


def worker_threads() -> list[threading.Thread]:
    """The worker threads alive now that the running test started.

    Earlier tests of the same process may leave theirs ending (a daemon thread ends at
    its read timeout at the latest); they are not the running test's subject.
    """
    return [
        t
        for t in threading.enumerate()
        if t.name.startswith("http-worker") and t not in _EARLIER_WORKERS
    ]


async def until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """Wait (polling) until ``condition`` holds; fail after ``limit`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the condition did not come true"
        await asyncio.sleep(0.02)


def test_a_bulk_body_arrives_in_large_chunks_read_off_the_event_loop() -> None:
    body = os.urandom(5 * 1024 * 1024 + 123)

    async def large(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        for start in range(0, len(body), 7000):  # small writes: many small reads
            writer.write(body[start : start + 7000])
        await writer.drain()
        await reader.read()

    async def scenario() -> None:
        recording = RecordingTransport(httpx.HTTPTransport())
        transport = WorkerThreadTransport(recording, chunk_size=1024 * 1024, queued_chunks=2)
        pieces: list[bytes] = []
        async with (
            tcp_server(large) as url,
            httpx.AsyncClient(transport=transport) as client,
            client.stream("GET", url) as response,
        ):
            async for piece in response.aiter_raw():
                pieces.append(piece)
                await asyncio.sleep(0.01)  # a slow consumer: the worker waits for room
        assert b"".join(pieces) == body
        assert all(len(piece) >= 1024 * 1024 for piece in pieces[:-1])
        assert len(pieces) <= len(body) // (1024 * 1024) + 1
        assert recording.threads
        assert threading.get_ident() not in recording.threads

    asyncio.run(scenario())


def test_closing_a_bulk_reply_mid_body_ends_its_worker_and_connection() -> None:
    closed = asyncio.Event()

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (1 << 40))
        try:
            while True:
                writer.write(b"x" * 65536)
                await writer.drain()
        except ConnectionError:
            closed.set()

    sockets: list[socket.socket] = []

    class SocketNoting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            reply = super().handle_request(request)
            sockets.append(reply.extensions["network_stream"].get_extra_info("socket"))
            return reply

    async def scenario() -> None:
        transport = WorkerThreadTransport(SocketNoting(), chunk_size=64 * 1024)
        async with tcp_server(endless) as url, httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", url) as response:
                async for _piece in response.aiter_raw():
                    break
            await until(lambda: not worker_threads())
            assert [s.fileno() for s in sockets] == [-1], "the worker closed its connection"
            try:
                await asyncio.wait_for(closed.wait(), 10.0)
            except TimeoutError:
                threads = sorted(t.name for t in threading.enumerate())
                raise AssertionError(f"the server saw no close; threads: {threads}") from None

    asyncio.run(scenario())


def test_cancelling_before_the_head_arrives_ends_the_worker() -> None:
    requested = asyncio.Event()
    released = asyncio.Event()

    async def slow_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        requested.set()
        await released.wait()
        writer.write(REPLY)
        await writer.drain()
        await reader.read()

    async def scenario() -> None:
        async with (
            tcp_server(slow_head) as url,
            httpx.AsyncClient(transport=worker()) as client,
        ):
            task = asyncio.create_task(client.get(url))
            await requested.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            released.set()
            await until(lambda: not worker_threads())

    asyncio.run(scenario())


def test_a_draining_tls_socket_returns_several_records_per_read() -> None:
    body = os.urandom(4 * 1024 * 1024)
    server_context, ca = tls_pair()
    sizes: list[int] = []

    class CountingSocket(DrainingSSLSocket):
        def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
            data = super().recv(buflen, flags)
            sizes.append(len(data))
            return data

    async def large(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        await reader.read()

    async def scenario() -> None:
        with ca.cert_pem.tempfile() as ca_file:
            context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
        assert context.sslsocket_class is DrainingSSLSocket
        context.sslsocket_class = CountingSocket
        received = bytearray()
        async with (
            tcp_server(large, server_context) as url,
            httpx.AsyncClient(transport=worker(verify=context)) as client,
            client.stream("GET", url) as response,
        ):
            async for piece in response.aiter_raw():
                received += piece
                await asyncio.sleep(0.005)  # records pile up while the consumer waits
        assert bytes(received) == body
        assert max(sizes) > 16 * 1024, "at least one read took more than one TLS record"
        assert max(sizes) <= 64 * 1024

    asyncio.run(scenario())


def test_a_draining_tls_socket_sets_an_unchanged_timeout_without_a_system_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpcore sets the read timeout before every read, and the draining socket switches
    # to non-blocking reads and back within each: three settimeout calls per read, each
    # a system call with the GIL released. The one that changes nothing is skipped.
    body = os.urandom(2 * 1024 * 1024)
    server_context, ca = tls_pair()
    reads: list[int] = []
    applied: list[float | None] = []
    original = socket.socket.settimeout

    def counted(self: socket.socket, value: float | None) -> None:
        if isinstance(self, DrainingSSLSocket):
            applied.append(value)
        original(self, value)

    monkeypatch.setattr(socket.socket, "settimeout", counted)

    class CountingSocket(DrainingSSLSocket):
        def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
            data = super().recv(buflen, flags)
            reads.append(len(data))
            assert self.gettimeout() == 20.0  # the read timeout is back after each read
            return data

    async def large(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        await reader.read()

    async def scenario() -> None:
        with ca.cert_pem.tempfile() as ca_file:
            context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
        context.sslsocket_class = CountingSocket
        async with (
            tcp_server(large, server_context) as url,
            httpx.AsyncClient(transport=worker(verify=context), timeout=20.0) as client,
        ):
            response = await client.get(url)
        assert response.content == body

    asyncio.run(scenario())
    assert len(reads) >= 8
    assert len(applied) <= 2 * len(reads) + 4  # three per read before


def test_a_draining_tls_socket_reads_each_record_with_one_python_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SSLSocket.recv only checks its flags and calls SSLSocket.read: the draining socket
    # calls read itself, a Python call fewer per TLS record (four per 64 KiB read).
    body = os.urandom(2 * 1024 * 1024)
    server_context, ca = tls_pair()
    through_recv: list[int] = []
    original = ssl.SSLSocket.recv

    def counted(self: ssl.SSLSocket, buflen: int = 1024, flags: int = 0) -> bytes:
        through_recv.append(buflen)
        return original(self, buflen, flags)

    monkeypatch.setattr(ssl.SSLSocket, "recv", counted)

    async def large(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        await reader.read()

    async def scenario() -> None:
        with ca.cert_pem.tempfile() as ca_file:
            context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
        async with (
            tcp_server(large, server_context) as url,
            httpx.AsyncClient(transport=worker(verify=context), timeout=20.0) as client,
        ):
            response = await client.get(url)
        assert response.content == body

    asyncio.run(scenario())
    assert through_recv == []


def test_the_system_trust_store_keeps_its_own_sockets() -> None:
    context = build_ssl_context(TlsTrust(mode=TrustMode.SYSTEM))
    assert context.sslsocket_class is not DrainingSSLSocket


@pytest.mark.parametrize("completing", [True, False], ids=["completing", "bare-httpx"])
def test_a_request_cancelled_during_the_tls_handshake_leaves_no_socket_open(
    completing: bool,
) -> None:
    """httpcore leaves the socket of a connection cancelled mid-handshake open; wrapped
    in ``CompletingTransport`` the request ends on its own and closes it."""
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await reader.read()

    async def scenario() -> None:
        async with tcp_server(silent) as url:
            bare = httpx.AsyncHTTPTransport(verify=ssl.create_default_context())
            transport = CompletingTransport(bare, grace=5.0) if completing else bare
            client = httpx.AsyncClient(transport=transport, timeout=0.5)
            task = asyncio.create_task(client.get(url.replace("http:", "https:")))
            await until(lambda: bool(accepted))
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await client.aclose()

    gc.collect()  # what earlier tests left behind warns now, not among this test's warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        asyncio.run(scenario())
        gc.collect()
    leaked = [w for w in caught if "unclosed transport" in str(w.message)]
    if completing:
        assert leaked == []
    elif not leaked:  # the case CompletingTransport exists for
        pytest.skip("httpcore no longer leaves the socket open: CompletingTransport may go")
