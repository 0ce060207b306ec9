"""A ``.part`` file written by the thread that receives the download.

``PartFile`` is synchronous: the download's worker thread writes each piece of the body
as it reads it (``LogStream.save_into``), so the archive's bytes never pass through the
event loop. ``write`` and ``close`` hold one lock: a ``close`` from the event loop's side
(after a cancel or a failure) waits for a write in progress, and no write follows it, so
the file stays a correct prefix of the archive, which a resume continues. After a failed
write no later piece is written either.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from app.downloads.partfile import create_private

WRITEV_PIECES = 256
"""Pieces per ``os.writev`` call at most (well under every system's ``IOV_MAX``, 1024 on
Linux)."""
WRITEV_BYTES = 512 * 1024
"""Bytes per ``os.writev`` call at most (a single larger piece goes alone). Measured on
ext4 (Linux 6.18), 512 MiB in 64 KiB pieces, each run a fresh process: calls of up to
512 KiB cost the writer 0.36-0.41 s of CPU per GiB against 0.41-0.53 s piece by piece,
but calls of 1 MiB or more were sometimes far dearer (0.8-2.0 s per GiB in a third of
the runs; not investigated further)."""
_WRITEV = getattr(os, "writev", None)


class PartFile:
    """``path`` open for writing from ``offset`` on (earlier bytes kept, later dropped).

    ``position`` is the file's size as written so far. Open with ``PartFile.open``.
    """

    def __init__(self, path: Path, handle: BinaryIO, offset: int) -> None:
        self.path = path
        self.position = offset
        self._file: BinaryIO | None = handle
        self._failed: OSError | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, offset: int) -> PartFile:
        """Open ``path`` at ``offset``; 0 creates or empties the file. Raises ``OSError``
        (``FileNotFoundError`` when resuming a file that is gone)."""
        try:
            handle = path.open("r+b")
        except FileNotFoundError:
            if offset != 0:
                raise  # the bytes before offset are gone: not a file to continue
            with contextlib.suppress(FileExistsError):  # created meanwhile: still private
                create_private(path)
            return cls(path, path.open("r+b"), 0)
        # Only a size that changes is set: truncating an empty file makes ext4 write
        # all of it out when it is closed (its "replace by truncate" safeguard), which
        # made closing a freshly reserved 1 GiB .part file take 0.4 s (ext4, 2 vCPUs).
        try:
            if handle.seek(0, os.SEEK_END) != offset:
                handle.truncate(offset)
            handle.seek(offset)
        except BaseException:
            handle.close()
            raise
        return cls(path, handle, offset)

    @property
    def closed(self) -> bool:
        return self._file is None

    def write(self, piece: bytes | memoryview) -> bool:
        """Append ``piece``; False (nothing written) when the file is already closed.

        Raises ``OSError`` for a write that failed, this one or an earlier one.
        """
        with self._lock:
            if self._failed is not None:
                raise self._failed
            if self._file is None:
                return False
            try:
                self._file.write(piece)
            except OSError as exc:
                self._failed = exc
                raise
            self.position += len(piece)
            return True

    def write_all(self, pieces: Sequence[bytes | memoryview]) -> bool:
        """Append ``pieces`` in order, as ``write`` would one by one; False (nothing
        written) when the file is already closed.

        Where the system has ``os.writev`` (not Windows) and the handle is a file
        descriptor, they go to the file in one system call per ``WRITEV_BYTES`` (or
        ``WRITEV_PIECES`` pieces), not one each: for the writer thread of a download, an
        eighth of the calls that give up the GIL and must take it back from the
        receiving thread, and less of the kernel's work per byte.
        Raises ``OSError`` for a write that failed, this one or an earlier one; the
        bytes before the failure stay written, and ``position`` counts them.
        """
        with self._lock:
            if self._failed is not None:
                raise self._failed
            if self._file is None:
                return False
            descriptor = self._descriptor()
            try:
                if descriptor is None:
                    for piece in pieces:
                        self._file.write(piece)
                        self.position += len(piece)
                else:
                    self._writev(descriptor, pieces)
            except OSError as exc:
                self._failed = exc
                raise
            return True

    def _descriptor(self) -> int | None:
        """The handle's file descriptor, emptied of buffered bytes, when ``os.writev``
        can write to it; None otherwise (Windows, or a handle without one)."""
        assert self._file is not None
        if _WRITEV is None:
            return None
        try:
            descriptor = self._file.fileno()
        except (io.UnsupportedOperation, AttributeError):
            return None
        self._file.flush()  # bytes a ``write`` buffered go first
        return descriptor

    def _writev(self, descriptor: int, pieces: Sequence[bytes | memoryview]) -> None:
        assert _WRITEV is not None
        waiting = [memoryview(piece) for piece in pieces if len(piece)]
        start = 0
        while start < len(waiting):
            end, size = start + 1, len(waiting[start])
            while (
                end < len(waiting)
                and end - start < WRITEV_PIECES
                and size + len(waiting[end]) <= WRITEV_BYTES
            ):
                size += len(waiting[end])
                end += 1
            written = _WRITEV(descriptor, waiting[start:end])
            if written <= 0:  # never for a regular file; refuse to loop forever
                raise OSError(errno.EIO, "the file accepted no bytes")
            self.position += written
            while start < end and written >= len(waiting[start]):
                written -= len(waiting[start])
                start += 1
            if written:  # a short write: the rest of that piece goes next
                waiting[start] = waiting[start][written:]

    def close(self) -> None:
        """Flush and close, after a write in progress; safe to call more than once.
        Raises ``OSError`` when the flush fails."""
        with self._lock:
            if self._file is not None:
                handle, self._file = self._file, None
                handle.close()
