"""An asyncio protocol that receives into one preallocated buffer.

asyncio's TLS transport decrypts straight into the buffer a ``BufferedProtocol``
offers, so received bytes are copied once (into the ``bytes`` a read returns) instead
of being allocated per TLS record, joined and appended to a stream buffer. The buffer
starts small (``INITIAL_BYTES``, enough for a poll) and doubles while the reader falls
behind, up to ``MAX_BYTES``; then reading pauses until reads have made room.

Every buffer offered has room for what the transport says it holds (``sizehint``) plus
one TLS record, even beyond ``MAX_BYTES``: the proactor event loop (Windows) goes on
feeding the rest of a read after ``pause_reading()`` and fails the connection on an
empty buffer, and asyncio's TLS layer, once the peer has closed the connection,
decrypts what it holds into one buffer and drops what does not fit.

A large body is taken in blocks (``read_block``): the reader is woken once a block has
arrived, not for every transport read, and takes the buffer itself, which the protocol
replaces with a new one, so the bytes are never copied on the event loop.
"""

from __future__ import annotations

import asyncio
from asyncio.proactor_events import BaseProactorEventLoop
from collections import deque

INITIAL_BYTES = 64 * 1024
MAX_BYTES = 1024 * 1024  # received bytes held before the transport is paused
MIN_FREE_BYTES = 16 * 1024  # one TLS record; less room than this grows or pauses
# the most a block reader waits for: with one more read of asyncio's TLS layer (256 KiB
# at most) and a record it still fits a full buffer, which then neither grows nor pauses
BLOCK_BYTES = 512 * 1024
# handed-over buffers remembered for reuse (a new one costs page faults): more than the
# blocks a download queues for its disk writer
HANDED_OVER_KEPT = 12


class ReceivingProtocol(asyncio.BufferedProtocol):
    """One connection's received bytes and its write flow control, for ``AsyncioStream``."""

    def __init__(self, initial: int = INITIAL_BYTES, maximum: int = MAX_BYTES) -> None:
        if not 2 * MIN_FREE_BYTES <= initial <= maximum:
            raise ValueError("need 2 * MIN_FREE_BYTES <= initial <= maximum")
        self.transport: asyncio.Transport | None = None
        self._maximum = maximum
        self._buffer = bytearray(initial)
        self._view = memoryview(self._buffer)
        self._start = 0  # first unread byte
        self._end = 0  # end of the received bytes
        self._eof = False
        self._error: BaseException | None = None
        self._paused_reading = False
        self._data_waiter: asyncio.Future[None] | None = None
        self._wake_at = 1  # unread bytes that wake the waiting reader
        self._idle_timer: asyncio.TimerHandle | None = None
        self._handed_over: deque[bytearray] = deque(maxlen=HANDED_OVER_KEPT)
        self._paused_writing = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._loop = asyncio.get_running_loop()
        self._arrived_at = 0.0  # loop time of the last bytes received
        self._received = 0  # bytes received in all
        self._stalled_at: int | None = None  # _received when an idle timeout ran out
        self._closed: asyncio.Future[None] = self._loop.create_future()

    # -- what AsyncioStream asks --------------------------------------------------------
    @property
    def at_eof(self) -> bool:
        """The peer closed (or the connection was lost) and every byte has been read."""
        return (self._eof or self._error is not None) and self._start == self._end

    @property
    def has_unread(self) -> bool:
        return self._start != self._end

    @property
    def lost(self) -> bool:
        return self._closed.done()

    async def read(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` received bytes; waits for some; b"" at the end.

        Raises the connection's error once the bytes received before it are read.
        """
        await self._wait_for(1)
        count = min(max_bytes, self._end - self._start)
        data = bytes(self._view[self._start : self._start + count])
        self._consumed(count)
        return data

    async def read_block(
        self, min_bytes: int, max_bytes: int, idle_timeout: float | None = None
    ) -> memoryview:
        """Up to ``max_bytes`` received bytes, once ``min_bytes`` (at most ``BLOCK_BYTES``)
        have arrived or the peer has closed; empty at the end. ``TimeoutError`` when
        nothing arrives for ``idle_timeout`` seconds while waiting.

        The block's memory belongs to the caller: when it is all that was received, the
        protocol hands over its buffer and receives into another one (``hands_over``),
        reusing a handed-over buffer once no view of it is left; otherwise the block is
        a copy. Raises the connection's error once the bytes received before it are read.
        """
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        await self._wait_for(max(1, min(min_bytes, max_bytes, BLOCK_BYTES)), idle_timeout)
        count = min(max_bytes, self._end - self._start)
        if count == 0:
            return memoryview(b"")
        if count == self._end - self._start and self.hands_over:
            block = self._view[self._start : self._end]
            self._handed_over.append(self._buffer)
            self._buffer = self._spare_buffer(len(self._buffer))
            self._view = memoryview(self._buffer)
            self._start = self._end = 0
            if self._paused_reading:
                self._resume_if_room()
            return block
        block = memoryview(bytes(self._view[self._start : self._start + count]))
        self._consumed(count)
        return block

    @property
    def hands_over(self) -> bool:
        """Whether a buffer may be handed to a reader: the transport must fill it only
        between ``get_buffer`` and ``buffer_updated``. Behind TLS asyncio's TLS layer
        decrypts into it in one call. A plain connection on the proactor loop (Windows)
        gets a copy: Python 3.11 copies there from the transport's own buffer too, but
        asyncio keeps the door open to reading straight into the protocol's buffer
        (bpo-33694), and plain HTTP is only for loopback."""
        return self.transport is not None and (
            self.transport.get_extra_info("ssl_object") is not None
            or not isinstance(self._loop, BaseProactorEventLoop)
        )

    async def drain(self) -> None:
        """Wait while the transport asks writers to pause; raise if the connection is lost."""
        if self._error is not None:
            raise self._error
        if self._closed.done():
            raise ConnectionResetError("the connection is closed")
        if not self._paused_writing:
            return
        self._drain_waiter = asyncio.get_running_loop().create_future()
        try:
            await self._drain_waiter
        finally:
            self._drain_waiter = None

    async def wait_closed(self) -> None:
        await asyncio.shield(self._closed)

    # -- asyncio.BufferedProtocol -------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Also called by ``AsyncioStream.start_tls`` with the TLS transport."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def get_buffer(self, sizehint: int) -> memoryview:
        """Room for ``sizehint`` bytes and one TLS record, more up to the maximum held.

        ``sizehint`` is the rest of a proactor read, or the encrypted bytes waiting in
        the TLS layer (the decrypted ones fit, plus the record it may have started), or
        -1 (selector loop). Never empty, so it is also safe while reading is paused.
        """
        need = max(sizehint, 0) + MIN_FREE_BYTES
        if self._room() < need:
            self._reserve(need)
        offered = max(need, self._maximum - (self._end - self._start))
        return self._view[self._end : self._end + offered]

    def buffer_updated(self, nbytes: int) -> None:
        self._end += nbytes
        self._received += nbytes
        self._arrived_at = self._loop.time()
        if self._end - self._start >= self._wake_at:
            self._wake(self._data_waiter)
        if self._paused_reading:
            return
        if self._end - self._start >= self._maximum - MIN_FREE_BYTES:
            if self.transport is not None:
                self._paused_reading = True
                self.transport.pause_reading()
                self._wake(self._data_waiter)
        elif self._room() < MIN_FREE_BYTES:
            if len(self._buffer) < self._maximum:
                self._resize(min(2 * len(self._buffer), self._maximum))
            else:
                self._compact()  # a buffer enlarged beyond the maximum by get_buffer

    def eof_received(self) -> bool:
        self._eof = True
        self._wake(self._data_waiter)
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            self._error = exc
        self._eof = True
        self._handed_over.clear()  # nothing more is received: no buffer to reuse
        self._wake(self._data_waiter)
        self._paused_writing = False
        self._wake(self._drain_waiter)
        if not self._closed.done():
            self._closed.set_result(None)

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        self._wake(self._drain_waiter)

    # -- helpers -----------------------------------------------------------------------
    async def _wait_for(self, count: int, idle_timeout: float | None = None) -> None:
        """Until ``count`` bytes are unread, or fewer once reading has paused or the
        connection has ended; raises the connection's error when nothing is unread.

        With ``idle_timeout``: once nothing has arrived for that long, returns with what
        is unread; the next wait then raises ``TimeoutError`` at once unless bytes have
        arrived meanwhile. With nothing unread it raises ``TimeoutError`` straight away.
        """
        if self._data_waiter is not None:
            raise RuntimeError("ReceivingProtocol: a read while another read is waiting")
        try:
            while self._end - self._start < count:
                if self._error is not None and self._start == self._end:
                    raise self._error
                if self._eof or self._paused_reading:
                    return
                if idle_timeout is not None and self._stalled_at is not None:
                    if self._stalled_at == self._received:  # silent since the timeout
                        if self._start != self._end:
                            return
                        self._stalled_at = None  # reported: a later wait starts afresh
                        raise TimeoutError(f"nothing received for {idle_timeout} s")
                    self._stalled_at = None
                if idle_timeout is not None and self._idle_timer is None:
                    self._arrived_at = self._loop.time()
                    self._idle_timer = self._loop.call_later(
                        idle_timeout, self._on_idle, idle_timeout
                    )
                self._data_waiter = self._loop.create_future()
                self._wake_at = count
                try:
                    await self._data_waiter
                finally:
                    self._data_waiter = None
                    self._wake_at = 1
        finally:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
                self._idle_timer = None

    def _on_idle(self, idle_timeout: float) -> None:
        """Wake the waiting reader once nothing has arrived for ``idle_timeout`` (it then
        takes what is unread, or fails); else look again that long after the last bytes."""
        due = self._arrived_at + idle_timeout
        if self._loop.time() < due:
            self._idle_timer = self._loop.call_at(due, self._on_idle, idle_timeout)
            return
        self._idle_timer = None
        self._stalled_at = self._received
        self._wake(self._data_waiter)

    def _spare_buffer(self, size: int) -> bytearray:
        """A buffer of ``size`` bytes: a handed-over one that no view is left of, else a
        new one (whose pages the system must first provide)."""
        for buffer in self._handed_over:
            if len(buffer) == size and _unexported(buffer):
                self._handed_over.remove(buffer)
                return buffer
        return bytearray(size)

    def _consumed(self, count: int) -> None:
        self._start += count
        if self._start == self._end:
            self._start = self._end = 0
        if self._paused_reading:
            self._resume_if_room()

    def _room(self) -> int:
        return len(self._buffer) - self._end

    @property
    def capacity(self) -> int:
        return len(self._buffer)

    def _reserve(self, need: int) -> None:
        """At least ``need`` bytes of room after the unread bytes."""
        unread = self._end - self._start
        if len(self._buffer) - unread >= need:
            self._compact()
        else:
            self._resize(max(min(2 * len(self._buffer), self._maximum), unread + need))

    def _resize(self, size: int) -> None:
        """A new buffer of ``size`` bytes holding the unread bytes at its start (a new
        object, so a view of the old one that a transport may hold stays valid)."""
        unread = self._end - self._start
        larger = bytearray(size)
        larger[:unread] = self._view[self._start : self._end]
        self._buffer, self._view = larger, memoryview(larger)
        self._start, self._end = 0, unread

    def _compact(self) -> None:
        """Move the unread bytes to the front of the buffer."""
        if self._start == 0:
            return
        unread = self._end - self._start
        moved = self._view[self._start : self._end]
        # bytearray slice assignment copies with memcpy: copy overlapping bytes first
        self._buffer[:unread] = bytes(moved) if unread > self._start else moved
        self._start, self._end = 0, unread

    def _resume_if_room(self) -> None:
        """Resume reading once the bytes held are below the maximum again (``get_buffer``
        moves them to the front when the transport asks for room)."""
        unread = self._end - self._start
        if unread < self._maximum - MIN_FREE_BYTES and self.transport is not None:
            self._paused_reading = False
            self.transport.resume_reading()

    @staticmethod
    def _wake(waiter: asyncio.Future[None] | None) -> None:
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


def _unexported(buffer: bytearray) -> bool:
    """Whether no view of ``buffer`` is alive (no ``memoryview``, no write in progress):
    a bytearray whose memory is exported refuses to change size."""
    try:
        last = buffer.pop()
    except BufferError:
        return False
    buffer.append(last)  # within its allocation: neither a copy nor a reallocation
    return True
