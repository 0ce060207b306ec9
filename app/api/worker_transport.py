"""Bulk transfers off the event loop: a stock synchronous httpx transport on a worker thread.

``WorkerThreadTransport`` is an ``httpx.AsyncBaseTransport`` for large replies (log
archives). Each request gets a thread of its own, which sends it through a stock
``httpx.HTTPTransport`` (connection, TLS, HTTP/1.1 parsing) and hands the reply's head
to the event loop. The body is then consumed in one of two ways, chosen by its reader:

- iterated (``async for`` over the reply, as httpx does): the thread reads it and hands
  it over in chunks of at least ``chunk_size`` bytes, at most ``queued_chunks`` of them
  waiting for the consumer (then the thread waits too, so memory stays bounded);
- drained (``WorkerBody.drain_into``, reached through the reply's ``WORKER_BODY``
  extension): the thread passes every piece it reads to a sink on the thread itself
  (a file's write, for a download), and the event loop hears only of progress, a few
  times a second, and of the end. No byte of the body then crosses threads, and the
  event loop (under qasync, the window's thread) does no work per piece.

Everything httpx does (timeouts from the request's extensions, proxies, TLS trust) is
the synchronous transport's own; nothing of httpx or httpcore is replaced or patched.

A consumer that goes away (a cancelled download, a closed reply) does not wait for the
thread: the thread stops before its next read, and a read already waiting for a silent
server is ended by shutting the connection's socket down (reached through the reply's
``network_stream`` extension, httpcore's public way to the connection), so the thread
ends at once instead of at the read timeout. Where a shutdown does not wake a waiting
read (Windows' sockets may not), the read timeout still ends it; the thread is a daemon
in any case, so it never keeps the process alive.

A socket shut down that way is also set to reset its connection when it is closed
(``SO_LINGER`` 0) instead of closing it gracefully. A server sending to a reader that
stopped reading waits on a closed TCP window; once the socket is shut down, reading
what it still buffers sends no window update, so after a graceful close the server could
go on waiting on that window until the operating system dropped the half-closed
connection (a minute on Linux). The reset tells it at once.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 1024 * 1024
DEFAULT_QUEUED_CHUNKS = 4
DEFAULT_PROGRESS_INTERVAL = 0.1
WORKER_BODY = "ekran.worker_body"
"""Key of a reply's ``extensions`` under which ``WorkerThreadTransport`` puts the reply's
``WorkerBody`` (httpx passes a transport's response extensions through unchanged)."""
_END = object()  # the body is complete
_STOP_CHECK_S = 0.05  # how often a thread waiting for the event loop looks for a stop

BodySink = Callable[[bytes], bool]
"""Called on the worker thread with each piece of the body, in order; returns False to
stop reading (the rest of the body is not read)."""
ProgressCallback = Callable[[int], None]
"""Called on the event loop with the number of body bytes handed to the sink so far."""


class WorkerThreadTransport(httpx.AsyncBaseTransport):
    """Runs each request of ``transport`` (a synchronous httpx transport) on its own thread.

    The reply's body is a ``WorkerBody`` (also under ``extensions[WORKER_BODY]``).
    Iterated, it yields chunks of at least ``chunk_size`` bytes (the last one shorter).
    When the body fails, the bytes received before the failure are delivered first, then
    the failure (an ``httpx`` exception) is raised. Closing the reply stops its thread at
    its next read: at once while bytes arrive, within the read timeout when the server is
    silent.
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
        body = WorkerBody(loop, self._queued_chunks)
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
            extensions={**reply.extensions, WORKER_BODY: body},
        )

    async def aclose(self) -> None:
        await asyncio.to_thread(self._transport.close)


@dataclass(frozen=True)
class _Drain:
    """How the worker thread consumes the body in drain mode."""

    sink: BodySink
    on_progress: ProgressCallback | None
    progress_interval: float
    finished: asyncio.Future[int]
    delivered: threading.Event = field(default_factory=threading.Event)
    """Set while no progress report waits for the event loop."""

    def __post_init__(self) -> None:
        self.delivered.set()


class WorkerBody(httpx.AsyncByteStream):
    """The body of one reply, read by its worker thread.

    Read it once: either iterate it, or ``drain_into`` a sink. Until one of them starts
    (or the reply is closed) the worker thread waits after the head, reading nothing.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, queued_chunks: int) -> None:
        self._loop = loop
        self._items: asyncio.Queue[object] = asyncio.Queue()
        self._room = threading.Semaphore(queued_chunks)  # chunks the worker may still queue
        self._stopped = threading.Event()  # the consumer closed the body or went away
        self._chosen = threading.Event()  # iterated, drained or stopped: the worker goes on
        self._drain: _Drain | None = None
        self._consumed = False
        self._reading_lock = threading.Lock()
        self._reading: socket.socket | None = None  # the socket while the body is read

    # -- the event loop's side ---------------------------------------------------------
    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._consume()
        self._chosen.set()
        while True:
            item = await self._items.get()
            self._room.release()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item

    async def drain_into(
        self,
        sink: BodySink,
        *,
        on_progress: ProgressCallback | None = None,
        progress_interval: float = DEFAULT_PROGRESS_INTERVAL,
    ) -> int:
        """Have the worker thread pass every piece of the body to ``sink``, on that thread.

        Returns the number of bytes passed once the body ended (or ``sink`` returned
        False). ``on_progress`` is called on the event loop with that number at most
        every ``progress_interval`` seconds while the body arrives; the thread sends a
        report only once the event loop has run the one before, so it is never more
        than one report ahead of the loop (a cancel from ``on_progress`` stops it
        within one piece). Raises the body's
        failure (an ``httpx`` exception: every byte received before it went to ``sink``)
        or ``sink``'s own exception; nothing is passed to ``sink`` after either.
        Cancelling stops the thread before its next piece; a ``sink`` call already
        running finishes on the thread (a sink that closes its file must let such a call
        complete first, or refuse it).
        """
        self._consume()
        finished: asyncio.Future[int] = self._loop.create_future()
        self._drain = _Drain(sink, on_progress, progress_interval, finished)
        self._chosen.set()
        try:
            return await finished
        except asyncio.CancelledError:
            self.abandon()
            raise

    async def aclose(self) -> None:
        self.abandon()

    def abandon(self) -> None:
        """Tell the worker to stop and close its reply; never blocks. A read of the body
        that is waiting for the server is ended by shutting its socket down."""
        self._stopped.set()
        self._chosen.set()
        self._room.release()  # a worker waiting for room wakes and sees the stop
        with self._reading_lock:  # held: once reading(None) returned, the socket is let be
            sock, self._reading = self._reading, None
            if sock is not None:
                _interrupt(sock)

    def _consume(self) -> None:
        if self._consumed:
            raise httpx.StreamConsumed()
        self._consumed = True

    # -- the worker's side -------------------------------------------------------------
    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def reading(self, sock: socket.socket | None) -> None:
        """The worker reads the body from ``sock`` now (None: not any more), so that
        ``abandon`` can end a read that waits. Set before ``stopped`` is checked, and
        cleared before the consumer hears of the end (its close must not shut down a
        connection that goes back to the pool); clearing waits for a shutdown that
        ``abandon`` has begun."""
        with self._reading_lock:
            self._reading = sock

    def wait_for_reader(self) -> _Drain | None:
        """Block until the body is iterated, drained or closed; the drain, if drained."""
        self._chosen.wait()
        return self._drain

    def offer(self, item: object) -> bool:
        """Queue a chunk, the end or a failure for the consumer; waits for room.

        False when the consumer has gone (closed the body, or its loop is closed).
        """
        self._room.acquire()
        if self._stopped.is_set():
            return False
        return self._call_on_loop(self._items.put_nowait, item)

    def _call_on_loop(self, callback: Callable[..., object], *args: object) -> bool:
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the event loop is closed
            self._stopped.set()
            return False
        return True

    def report(self, drain: _Drain, done: int) -> bool:
        """Send a progress report once the one before was delivered; False if stopped."""
        if drain.on_progress is None:
            return not self._stopped.is_set()
        while not drain.delivered.wait(_STOP_CHECK_S):
            if self._stopped.is_set():
                return False
        if self._stopped.is_set():
            return False
        drain.delivered.clear()
        return self._call_on_loop(_progressed, self, drain, done)

    def finish(self, drain: _Drain, done: int, failure: BaseException | None) -> None:
        self._call_on_loop(_finished, drain.finished, done, failure)


def _progressed(body: WorkerBody, drain: _Drain, done: int) -> None:
    """On the loop: a progress report, unless the drain ended meanwhile."""
    try:
        if drain.on_progress is not None and not drain.finished.done() and not body.stopped:
            drain.on_progress(done)
    finally:
        if drain.finished.cancelled():
            # Cancelled by on_progress (Task.cancel cancels the awaited future at once):
            # stop the thread before it sends another report, not a step of the loop later.
            body.abandon()
        drain.delivered.set()


def _finished(future: asyncio.Future[int], done: int, failure: BaseException | None) -> None:
    if future.done():  # cancelled: nobody waits for the outcome
        return
    if failure is None:
        future.set_result(done)
    else:
        future.set_exception(failure)


def _exchange(
    transport: httpx.BaseTransport,
    request: httpx.Request,
    head: Future[httpx.Response],
    body: WorkerBody,
    chunk_size: int,
) -> None:
    """The worker thread: send, hand over the head, then the body as its reader chose."""
    try:
        reply = transport.handle_request(request)
    except BaseException as exc:
        _settle(head, head.set_exception, exc)
        return
    try:
        if not _settle(head, head.set_result, reply):
            return
        drain = body.wait_for_reader()
        body.reading(_socket_of(reply))
        try:
            if body.stopped:
                return
            if drain is None:
                _pump(reply, body, chunk_size)
            else:
                _drain_into(reply, body, drain)
        finally:
            body.reading(None)  # a complete reply's connection goes back to the pool
    finally:
        try:
            reply.close()
        except Exception as exc:
            log.debug("Closing a worker reply failed: %s", exc)


def _pump(reply: httpx.Response, body: WorkerBody, chunk_size: int) -> None:
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
        body.reading(None)
        if pieces and not body.offer(b"".join(pieces)):
            return
        body.offer(exc)
        return
    body.reading(None)  # read to its end: the connection may go back to the pool
    if pieces and not body.offer(b"".join(pieces)):
        return
    body.offer(_END)


def _drain_into(reply: httpx.Response, body: WorkerBody, drain: _Drain) -> None:
    done = 0
    next_report = float("-inf")
    try:
        for piece in reply.iter_raw():
            if body.stopped:
                return  # cancelled: nobody waits for the outcome
            keep = drain.sink(piece)
            done += len(piece)
            now = time.monotonic()
            if now >= next_report:
                if not body.report(drain, done):
                    return  # cancelled while the report before waited for the loop
                next_report = now + drain.progress_interval
            if not keep:
                break
    except BaseException as exc:  # handed to the waiting coroutine, which must wake
        body.reading(None)
        body.finish(drain, done, exc)
        return
    body.reading(None)  # read to its end: the connection may go back to the pool
    body.finish(drain, done, None)


def _socket_of(reply: httpx.Response) -> socket.socket | None:
    """The socket under ``reply`` (httpcore's ``network_stream`` extension), if any."""
    stream = reply.extensions.get("network_stream")
    get_extra_info = getattr(stream, "get_extra_info", None)
    if get_extra_info is None:
        return None
    sock = get_extra_info("socket")
    return sock if isinstance(sock, socket.socket) else None


def _interrupt(sock: socket.socket) -> None:
    """End a read waiting on ``sock`` in another thread: shut the socket down (without
    closing it, so its descriptor cannot be reused under that read), and have its close
    reset the connection (see the module's docstring). ``socket.socket``'s own
    ``shutdown`` is called: ``SSLSocket.shutdown`` would also drop its TLS object, which
    the reading thread is using."""
    _reset_on_close(sock)
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError as exc:  # already closed or never connected
        log.debug("Shutting down a worker's socket failed: %s", exc)


def _reset_on_close(sock: socket.socket) -> None:
    """Make closing ``sock`` reset its connection (``SO_LINGER`` on, 0 s) instead of
    closing it gracefully (see the module's docstring)."""
    # struct linger: two ints on POSIX, two u_shorts in Winsock
    linger = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    except OSError as exc:  # already closed
        log.debug("Setting a worker's socket to reset on close failed: %s", exc)


def _settle(future: Future[httpx.Response], setter: Callable[[Any], None], value: object) -> bool:
    """Resolve ``future`` unless its waiter was cancelled; False when it was."""
    if future.set_running_or_notify_cancel():
        setter(value)
        return True
    return False
