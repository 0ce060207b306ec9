"""Writing a ``.part`` file from one worker thread, off the event loop.

All operations of one ``PartWriter`` run in order on its own thread, so a write that
was still running when the download was cancelled finishes before the file is closed.
Only one chunk is in flight at a time: memory stays flat whatever the file size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, TypeVar

from app.downloads.errors import disk_error

A = TypeVar("A")


class PartWriter:
    """Writes ``path`` from ``offset`` on (earlier bytes are kept, later ones dropped)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="part-writer")
        self._file: BinaryIO | None = None
        self._closed = False

    async def open(self, offset: int) -> None:
        """Open for writing at ``offset``; 0 creates or empties the file."""
        await self._run(self._open, offset)

    async def write(self, chunk: bytes) -> None:
        await self._run(self._write, chunk)

    async def close(self) -> None:
        """Flush and close; safe to call more than once and after a failed write."""
        if self._closed:
            return
        self._closed = True
        future = asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=False)
        try:
            await future
        except OSError as exc:
            raise disk_error(exc, self.path) from None

    async def _run(self, function: Callable[[A], None], argument: A) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, function, argument)
        except OSError as exc:
            raise disk_error(exc, self.path) from None

    def _open(self, offset: int) -> None:
        if offset == 0:
            self._file = self.path.open("wb")
            return
        handle = self.path.open("r+b")
        handle.truncate(offset)
        handle.seek(offset)
        self._file = handle

    def _write(self, chunk: bytes) -> None:
        if self._file is None:
            raise RuntimeError("PartWriter.write before open")
        self._file.write(chunk)

    def _close(self) -> None:
        if self._file is not None:
            handle, self._file = self._file, None
            handle.close()
