"""The network layer under httpx: asyncio streams instead of httpcore's anyio backend.

httpcore's default asyncio backend goes through anyio, whose TLS stream returns one
TLS record (16 KiB at most) per read and opens two cancel scopes around every read
and write. Here asyncio's own TLS transport decrypts everything that has arrived
straight into the connection's ``ReceivingProtocol`` buffer, and a timeout is one
timer. A read returns up to ``READ_BYTES`` (256 KiB) even when httpcore asks for
less (it asks for 64 KiB): its HTTP/1.1 parser (h11) takes any amount, and every
read costs the same fixed work in httpcore, h11 and httpx whatever its size, so a
large download needs about half the CPU. The HTTP semantics (h11, the connection
pool, httpx's exceptions) stay httpcore's; only the byte streams change. Measured in
``docs/performance.md``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpcore
import httpx

from app.api.stream_protocol import ReceivingProtocol

READ_BYTES = 256 * 1024  # the most one read returns, whatever httpcore asks for
_CLOSED_WITHIN = 1.0  # seconds; an aborted transport reports its end in a loop iteration
# asyncio's own handshake timer ends in ConnectionAbortedError (a ConnectError); ours ends
# first, in a ConnectTimeout as with httpcore's own backends
_HANDSHAKE_TIMER_LATER = 1.0  # seconds
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


@contextmanager
def _mapped(mapping: dict[type[BaseException], type[Exception]]) -> Iterator[None]:
    """Re-raise the first matching exception as httpcore's, chained to the original."""
    try:
        yield
    except Exception as exc:
        for source, target in mapping.items():
            if isinstance(exc, source):
                raise target(exc) from exc
        raise


_READ_ERRORS: dict[type[BaseException], type[Exception]] = {
    TimeoutError: httpcore.ReadTimeout,
    OSError: httpcore.ReadError,
}
_WRITE_ERRORS: dict[type[BaseException], type[Exception]] = {
    TimeoutError: httpcore.WriteTimeout,
    OSError: httpcore.WriteError,
}
_CONNECT_ERRORS: dict[type[BaseException], type[Exception]] = {
    TimeoutError: httpcore.ConnectTimeout,
    OSError: httpcore.ConnectError,  # ssl.SSLError included
    EOFError: httpcore.ConnectError,
}


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (and after ``start_tls``, TLS) connection: an asyncio transport and its
    ``ReceivingProtocol``."""

    def __init__(self, transport: asyncio.Transport, protocol: ReceivingProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        """What has arrived, up to ``max(max_bytes, READ_BYTES)``; b"" at the end."""
        with _mapped(_READ_ERRORS):
            async with asyncio.timeout(timeout):
                return await self._protocol.read(max(max_bytes, READ_BYTES))

    async def read_block(
        self,
        min_bytes: int,
        max_bytes: int,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> memoryview:
        """Up to ``max_bytes`` bytes once ``min_bytes`` have arrived (see
        ``ReceivingProtocol.read_block``); empty at the end. For a body whose length is
        known, read after httpcore has parsed the reply's head. ``timeout`` is the
        longest silence: what arrived before it is returned first, then the next read
        raises ``httpcore.ReadTimeout``."""
        with _mapped(_READ_ERRORS):
            return await self._protocol.read_block(min_bytes, max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        with _mapped(_WRITE_ERRORS):
            if self._transport.is_closing():
                raise ConnectionResetError("the connection is closed")
            self._transport.write(buffer)
            async with asyncio.timeout(timeout):
                await self._protocol.drain()

    async def aclose(self) -> None:
        """Close without waiting for the server: ``close()`` sends TLS close_notify at
        once, then the socket is dropped instead of waiting for the server's reply; returns
        once the socket is closed (an event-loop iteration or two), also when the
        transport was already closing (for example in the TLS shutdown after the server's
        close)."""
        if not self._transport.is_closing():
            self._transport.close()
        self._transport.abort()
        with suppress(TimeoutError):
            async with asyncio.timeout(_CLOSED_WITHIN):
                await self._protocol.wait_closed()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            with _mapped(_CONNECT_ERRORS):
                async with asyncio.timeout(timeout):
                    transport = await loop.start_tls(
                        self._transport,
                        self._protocol,
                        ssl_context,
                        server_hostname=server_hostname,
                        ssl_handshake_timeout=(
                            None if timeout is None else timeout + _HANDSHAKE_TIMER_LATER
                        ),
                    )
        except BaseException:
            self._transport.abort()
            raise
        if transport is None:  # pragma: no cover - only when the loop is closing
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._transport = transport
        self._protocol.connection_made(transport)  # asyncio does not call it after start_tls
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        if info == "is_readable":
            return self._is_readable()
        return None

    def _is_readable(self) -> bool:
        """True when an idle connection has been closed by the server or has stray data.

        No system call: the event loop reads every socket that is not paused, so a
        server's close or stray bytes are already in the protocol once the loop has
        run (httpcore asks this of every idle connection before each request).
        """
        protocol = self._protocol
        return (
            protocol.has_unread or protocol.at_eof or protocol.lost or self._transport.is_closing()
        )


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens ``AsyncioStream`` connections; TCP_NODELAY is asyncio's default."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        with _mapped(_CONNECT_ERRORS):
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    ReceivingProtocol,
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    happy_eyeballs_delay=0.25,
                )
        try:
            with _mapped(_CONNECT_ERRORS):
                sock = transport.get_extra_info("socket")
                for option in socket_options or ():
                    sock.setsockopt(*option)
        except BaseException:
            transport.abort()
            raise
        return AsyncioStream(transport, protocol)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("Unix sockets are not used by this console")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AsyncioHTTPTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose connection pool uses ``AsyncioBackend``.

    Takes the same arguments. httpx builds its httpcore pool without a way to choose
    the network backend, so the pool's backend is replaced after construction; a test
    fails if an httpx or httpcore upgrade moves that attribute.
    """

    def __init__(self, **arguments: Any) -> None:
        super().__init__(**arguments)
        if not hasattr(self._pool, "_network_backend"):  # pragma: no cover - guarded by a test
            raise RuntimeError("httpcore's connection pool no longer has _network_backend")
        setattr(self._pool, "_network_backend", AsyncioBackend())  # noqa: B010


def network_backend_of(transport: httpx.AsyncBaseTransport) -> object:
    """The httpcore network backend a transport's pool uses (for checks and tests)."""
    return getattr(getattr(transport, "_pool", None), "_network_backend", None)


__all__ = ["AsyncioBackend", "AsyncioHTTPTransport", "AsyncioStream", "network_backend_of"]
