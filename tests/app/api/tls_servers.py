"""Tiny HTTPS servers on 127.0.0.1 with certificates made by trustme, for TLS tests.

They answer every request with a small JSON health report, so a client that gets past
the handshake sees a working endpoint.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import trustme

REPLY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n"
    b'Connection: close\r\n\r\n{"status":"Healthy"}'
)


class TlsTestServer:
    """What a running test server offers: its base URL and the requests it saw."""

    def __init__(self, port: int) -> None:
        self.url = f"https://127.0.0.1:{port}/EkranSystem"
        self.requests: list[bytes] = []


@asynccontextmanager
async def tls_server(cert: trustme.LeafCert) -> AsyncIterator[TlsTestServer]:
    """Serve HTTPS with ``cert`` on a free loopback port for the duration of the block."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    holder: list[TlsTestServer] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            holder[0].requests.append(head)
            writer.write(REPLY)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()
            with suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    holder.append(TlsTestServer(port))
    try:
        yield holder[0]
    finally:
        server.close()
        await server.wait_closed()
