"""Writing a download's ``.part`` file behind the thread that receives it.

The thread that receives a log archive spends its time in TLS and HTTP parsing; writing
each piece to the file as well (a copy into the page cache, the file system's block
allocation) made it the bottleneck of a large download on loopback. ``WriteBehind``
takes the pieces from the receiving thread and writes them, in order, on a thread of
its own, so that receiving and writing overlap. At most ``max_pending`` bytes wait to
be written; beyond that the receiving thread waits, so memory stays bounded.

The file stays a correct prefix of the archive whatever happens: the pieces are written
in the order they came, a failed write stops all later ones, and ``close`` writes what
is queued (bytes already received, the continuation of the file) before it closes.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from app.downloads.writer import PartFile

log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 8 * 1024 * 1024
DEFAULT_BATCH = 1024 * 1024
"""The writer thread is woken once this many bytes wait (or at ``close``), not per piece."""


class WriteBehind:
    """``part`` written by a thread of its own; the receiving thread only queues pieces.

    ``position`` counts the bytes accepted by ``write`` (the file's size once ``close``
    has returned without an error). Pieces must not change after ``write`` (``bytes``;
    other buffers are copied).
    """

    def __init__(
        self,
        part: PartFile,
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        batch: int = DEFAULT_BATCH,
    ) -> None:
        if max_pending < 1 or batch < 1:
            raise ValueError("max_pending and batch must be at least 1")
        self.path = part.path
        self.position = part.position
        self._part = part
        self._max_pending = max_pending
        self._batch = min(batch, max_pending)
        self._pending: deque[bytes] = deque()
        self._pending_bytes = 0  # queued or being written
        self._failed: OSError | None = None
        self._closing = False
        self._writer_waiting = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(
            target=self._write_pieces, name=f"part-writer {part.path.name}", daemon=True
        )
        self._thread.start()

    @property
    def closed(self) -> bool:
        return self._closing

    def write(self, piece: bytes | memoryview) -> bool:
        """Queue ``piece``; False (nothing queued) once ``close`` has begun.

        Waits while ``max_pending`` bytes are still to be written. Raises the
        ``OSError`` of a write that failed on the writer thread (then nothing more is
        written).
        """
        data = piece if isinstance(piece, bytes) else bytes(piece)
        with self._changed:
            while (
                self._pending_bytes >= self._max_pending
                and self._failed is None
                and not self._closing
            ):
                self._changed.wait()
            if self._failed is not None:
                raise self._failed
            if self._closing:
                return False
            self._pending.append(data)
            self._pending_bytes += len(data)
            self.position += len(data)
            if self._writer_waiting and self._pending_bytes >= self._batch:
                self._changed.notify_all()
        return True

    def close(self) -> None:
        """Write what is queued, then close the file; later ``write`` calls return False.

        Safe to call more than once and from any thread. Raises the ``OSError`` of a
        failed write or of closing the file.
        """
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()
        if self._failed is not None:
            raise self._failed

    # -- the writer thread -------------------------------------------------------------
    def _write_pieces(self) -> None:
        try:
            while (batch := self._next_batch()) is not None:
                written = 0
                try:
                    for piece in batch:
                        self._part.write(piece)
                        written += len(piece)
                except OSError as exc:
                    self._fail(exc)
                    return
                with self._changed:
                    self._pending_bytes -= written
                    self._changed.notify_all()  # a receiving thread waiting for room
        finally:
            try:
                self._part.close()
            except OSError as exc:
                self._fail(exc)

    def _next_batch(self) -> list[bytes] | None:
        """Every queued piece, once ``batch`` bytes wait or ``close`` began; None when
        closing with nothing left (or after a failure)."""
        with self._changed:
            while self._pending_bytes < self._batch and not self._closing and self._failed is None:
                self._writer_waiting = True
                self._changed.wait()
            self._writer_waiting = False
            if self._failed is not None or not self._pending:
                return None
            batch = list(self._pending)
            self._pending.clear()
            return batch

    def _fail(self, exc: OSError) -> None:
        with self._changed:
            if self._failed is None:
                self._failed = exc
                log.debug("Writing %s failed: %s", self.path.name, exc)
            self._pending.clear()
            self._changed.notify_all()
