"""A tiny HTTPS server on 127.0.0.1 that keeps connections alive, then drops them.

Each connection answers its first ``answers`` requests (200, a short text body, kept
alive) and, on the next one, reads the request and closes without answering: what a
server does that closes an idle kept-alive connection just as a request arrives.
``abrupt`` closes without TLS's close_notify (the socket simply ends). It counts the
connections and the requests it saw, so a test can tell a retry from a reused
connection.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import trustme

BASE = "/MyMonitoringSystem"
REPLY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n"
    b"Connection: keep-alive\r\n\r\nHealthy"
)


class KeepAliveServer:
    """What a running server offers: its URL, a client context trusting it, and counts."""

    def __init__(self, port: int, client_context: ssl.SSLContext) -> None:
        self.url = f"https://127.0.0.1:{port}{BASE}"
        self.client_context = client_context
        self.connections = 0
        self.requests = 0


@asynccontextmanager
async def keepalive_server(
    *, answers: int, abrupt: bool = False, silent: bool = False
) -> AsyncIterator[KeepAliveServer]:
    """Serve on a free loopback port for the block (see the module docstring);
    ``silent``: read requests and never answer nor close."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    holder: list[KeepAliveServer] = []
    handlers: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        server = holder[0]
        server.connections += 1
        try:
            for answered in range(answers + 1):
                await reader.readuntil(b"\r\n\r\n")
                server.requests += 1
                if silent:
                    await asyncio.Event().wait()  # until the test ends
                if answered == answers:
                    break  # read, not answered: the connection closes below
                writer.write(REPLY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            if abrupt:
                writer.transport.abort()
            else:
                writer.close()
            with suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)
    holder.append(KeepAliveServer(listening.sockets[0].getsockname()[1], client_context))
    try:
        yield holder[0]
    finally:
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        listening.close()
        await listening.wait_closed()
