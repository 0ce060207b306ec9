"""An asyncio protocol that receives into one preallocated buffer.

asyncio's TLS transport decrypts straight into the buffer a ``BufferedProtocol``
offers, so received bytes are copied once (into the ``bytes`` a read returns) instead
of being allocated per TLS record, joined and appended to a stream buffer. The buffer
starts small (``INITIAL_BYTES``, enough for a poll) and doubles while the reader falls
behind, up to ``MAX_BYTES``; then reading pauses until reads have made room.
"""

from __future__ import annotations

import asyncio

INITIAL_BYTES = 64 * 1024
MAX_BYTES = 1024 * 1024  # received bytes held before the transport is paused
MIN_FREE_BYTES = 16 * 1024  # one TLS record; less room than this grows or pauses


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
        self._paused_writing = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

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
        while self._start == self._end:
            if self._error is not None:
                raise self._error
            if self._eof:
                return b""
            self._data_waiter = asyncio.get_running_loop().create_future()
            try:
                await self._data_waiter
            finally:
                self._data_waiter = None
        count = min(max_bytes, self._end - self._start)
        data = bytes(self._view[self._start : self._start + count])
        self._start += count
        if self._start == self._end:
            self._start = self._end = 0
        if self._paused_reading:
            self._make_room()
        return data

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
        return self._view[self._end :]  # at least MIN_FREE_BYTES while reading is on

    def buffer_updated(self, nbytes: int) -> None:
        self._end += nbytes
        self._wake(self._data_waiter)
        if self._room() >= MIN_FREE_BYTES or self._paused_reading:
            return
        if len(self._buffer) < self._maximum:
            self._grow()
        elif self.transport is not None:
            self._paused_reading = True
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake(self._data_waiter)
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            self._error = exc
        self._eof = True
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
    def _room(self) -> int:
        return len(self._buffer) - self._end

    @property
    def capacity(self) -> int:
        return len(self._buffer)

    def _grow(self) -> None:
        """A buffer twice as large holding the unread bytes at its start (a new object:
        the transport may still hold a view of the old one)."""
        unread = self._end - self._start
        larger = bytearray(min(2 * len(self._buffer), self._maximum))
        larger[:unread] = self._view[self._start : self._end]
        self._buffer, self._view = larger, memoryview(larger)
        self._start, self._end = 0, unread

    def _make_room(self) -> None:
        """Move the unread bytes to the front if needed; resume reading once there is room."""
        if self._room() < MIN_FREE_BYTES and self._start > 0:
            unread = self._end - self._start
            moved = self._view[self._start : self._end]
            # bytearray slice assignment copies with memcpy: copy overlapping bytes first
            self._buffer[:unread] = bytes(moved) if unread > self._start else moved
            self._start, self._end = 0, unread
        if self._room() >= MIN_FREE_BYTES and self.transport is not None:
            self._paused_reading = False
            self.transport.resume_reading()

    @staticmethod
    def _wake(waiter: asyncio.Future[None] | None) -> None:
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
