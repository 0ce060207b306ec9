"""Bulk transfers off the event loop: a stock synchronous httpx transport on a worker thread.

``WorkerThreadTransport`` is an ``httpx.AsyncBaseTransport`` for large replies (log
archives). Each request gets a thread of its own, which sends it through a stock
``httpx.HTTPTransport`` (connection, TLS, HTTP/1.1 parsing), hands the reply's head to
the event loop, then reads the body and hands it over in chunks of at least
``chunk_size`` bytes. The event loop (under qasync, the window's thread) therefore wakes
about once per chunk instead of once per TLS record, and no byte of the body is
decrypted or parsed on it. At most ``queued_chunks`` chunks wait for the consumer; then
the thread waits too, so memory stays bounded by the consumer's speed.

Everything httpx does (timeouts from the request's extensions, proxies, TLS trust) is
the synchronous transport's own; nothing of httpx or httpcore is replaced or patched.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 1024 * 1024
DEFAULT_QUEUED_CHUNKS = 4
_END = object()  # the body is complete


class WorkerThreadTransport(httpx.AsyncBaseTransport):
    """Runs each request of ``transport`` (a synchronous httpx transport) on its own thread.

    The reply's body is an ``httpx.AsyncByteStream`` of chunks of at least
    ``chunk_size`` bytes (the last one shorter). When the body fails, the bytes received
    before the failure are delivered first, then the failure (an ``httpx`` exception) is
    raised. Closing the reply stops its thread at its next read: at once while bytes
    arrive, within the read timeout when the server is silent.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        queued_chunks: int = DEFAULT_QUEUED_CHUNKS,
    ) -> None:
        if chunk_size < 1 or queued_chunks < 1:
            raise ValueError("chunk_size and queued_chunks must be at least 1")
        self._transport = transport
        self._chunk_size = chunk_size
        self._queued_chunks = queued_chunks

    @property
    def transport(self) -> httpx.BaseTransport:
        """The synchronous transport every request goes through."""
        return self._transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()  # the console's requests carry small bodies
        sync_request = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=content,
            extensions=request.extensions,
        )
        loop = asyncio.get_running_loop()
        body = _WorkerBody(loop, self._queued_chunks)
        head: Future[httpx.Response] = Future()
        worker = threading.Thread(
            target=_exchange,
            args=(self._transport, sync_request, head, body, self._chunk_size),
            name=f"http-worker {request.url.host}",
            daemon=True,
        )
        worker.start()
        try:
            reply = await asyncio.wrap_future(head)
        except BaseException:
            body.abandon()  # cancelled while waiting: the thread closes the reply itself
            raise
        return httpx.Response(
            status_code=reply.status_code,
            headers=reply.headers,
            stream=body,
            extensions=reply.extensions,
        )

    async def aclose(self) -> None:
        await asyncio.to_thread(self._transport.close)


class _WorkerBody(httpx.AsyncByteStream):
    """The event loop's side of one reply body; fed by the worker thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queued_chunks: int) -> None:
        self._loop = loop
        self._items: asyncio.Queue[object] = asyncio.Queue()
        self._room = threading.Semaphore(queued_chunks)  # chunks the worker may still queue
        self._stopped = threading.Event()  # the consumer closed the body or went away
        self._iterated = False

    # -- the event loop's side ---------------------------------------------------------
    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._iterated:
            raise httpx.StreamConsumed()
        self._iterated = True
        while True:
            item = await self._items.get()
            self._room.release()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item

    async def aclose(self) -> None:
        self.abandon()

    def abandon(self) -> None:
        """Tell the worker to stop and close its reply; never blocks."""
        self._stopped.set()
        self._room.release()  # a worker waiting for room wakes and sees the stop

    # -- the worker's side -------------------------------------------------------------
    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def offer(self, item: object) -> bool:
        """Queue a chunk, the end or a failure for the consumer; waits for room.

        False when the consumer has gone (closed the body, or its loop is closed).
        """
        self._room.acquire()
        if self._stopped.is_set():
            return False
        try:
            self._loop.call_soon_threadsafe(self._items.put_nowait, item)
        except RuntimeError:  # the event loop is closed
            self._stopped.set()
            return False
        return True


def _exchange(
    transport: httpx.BaseTransport,
    request: httpx.Request,
    head: Future[httpx.Response],
    body: _WorkerBody,
    chunk_size: int,
) -> None:
    """The worker thread: send, hand over the head, then the body in chunks."""
    try:
        reply = transport.handle_request(request)
    except BaseException as exc:
        _settle(head, head.set_exception, exc)
        return
    try:
        if not _settle(head, head.set_result, reply) or body.stopped:
            return
        _pump(reply, body, chunk_size)
    finally:
        try:
            reply.close()
        except Exception as exc:
            log.debug("Closing a worker reply failed: %s", exc)


def _pump(reply: httpx.Response, body: _WorkerBody, chunk_size: int) -> None:
    pieces: list[bytes] = []
    buffered = 0
    try:
        for piece in reply.iter_raw():
            pieces.append(piece)
            buffered += len(piece)
            if buffered >= chunk_size:
                chunk = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                pieces.clear()
                buffered = 0
                if not body.offer(chunk):
                    return
            elif body.stopped:
                return
    except Exception as exc:
        if pieces and not body.offer(b"".join(pieces)):
            return
        body.offer(exc)
        return
    if pieces and not body.offer(b"".join(pieces)):
        return
    body.offer(_END)


def _settle(future: Future[httpx.Response], setter: Callable[[Any], None], value: object) -> bool:
    """Resolve ``future`` unless its waiter was cancelled; False when it was."""
    if future.set_running_or_notify_cancel():
        setter(value)
        return True
    return False
