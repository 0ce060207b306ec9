"""A bulk reply given up mid-body: the server must learn at once that its reader is gone.

A server sending a large body to a reader that stopped reading waits on a closed TCP
window. If the console then closed the connection gracefully after its receive buffer
happened to be read empty (a socket already shut down sends no window update), the
server would go on waiting for a window that never opens, until the operating system
drops the half-closed connection (a minute on Linux). An abandoned reply's connection
is therefore reset when it is closed.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import httpx

from app.api.worker_transport import WORKER_BODY, WorkerBody, WorkerThreadTransport
from tests.app.api.test_network import read_request, tcp_server, until, worker_threads

SMALL_RECEIVE_BUFFER = 16 * 1024  # less than one read: the buffer is read empty at once


def test_a_drain_given_up_while_the_server_waits_for_a_window_resets_its_connection() -> None:
    window_closed = asyncio.Event()
    server_saw_the_end = asyncio.Event()
    in_sink = threading.Event()
    release_sink = threading.Event()

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (1 << 40))
        try:
            while True:
                writer.write(b"x" * 65536)
                if writer.transport.get_write_buffer_size() > 0:
                    window_closed.set()  # the kernel's buffers are full: the reader stopped
                await writer.drain()
        except ConnectionError:
            server_saw_the_end.set()

    pieces: list[int] = []

    def sink(piece: bytes) -> bool:  # on the worker thread: the second piece holds it
        pieces.append(len(piece))
        if len(pieces) == 2:
            in_sink.set()
            release_sink.wait(10)
        return True

    async def scenario() -> None:
        small_buffer = [(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RECEIVE_BUFFER)]
        transport = WorkerThreadTransport(httpx.HTTPTransport(socket_options=small_buffer))
        async with (
            tcp_server(endless) as url,
            httpx.AsyncClient(transport=transport) as client,
        ):
            async with client.stream("GET", url) as response:
                body = response.extensions[WORKER_BODY]
                assert isinstance(body, WorkerBody)
                # One progress report (after the first piece), then none for the rest of
                # the test: after the held piece the worker goes straight to its next read.
                drain = asyncio.create_task(
                    body.drain_into(sink, on_progress=lambda done: None, progress_interval=3600)
                )
                assert await asyncio.to_thread(in_sink.wait, 10)
                await asyncio.wait_for(window_closed.wait(), 10)
                drain.cancel()  # the reader goes away: the worker's socket is shut down
                await asyncio.gather(drain, return_exceptions=True)
                release_sink.set()  # the worker reads what is buffered, sees the stop
            await until(lambda: not worker_threads())
            await asyncio.wait_for(server_saw_the_end.wait(), 10)

    asyncio.run(scenario())
