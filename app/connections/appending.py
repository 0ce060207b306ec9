"""Append whole lines to a file that several processes append to, so that a line cut short
by a crash or a full disk is never glued to the next one."""

from __future__ import annotations

import os
from pathlib import Path

from app.connections.filelock import InterProcessLock


def append_whole_lines(path: Path, data: bytes, *, lock_path: Path, lock_timeout_s: float) -> None:
    """Append ``data`` (one or more lines, each ending in a newline) to ``path`` and fsync it.

    The lock makes "is the last line complete?" and the write one step for every process,
    so another process's write in progress is never mistaken for a cut line; a last line
    left without its newline gets one first. Raises ``OSError`` (the disk refused, the
    folder is read-only) or ``LockTimeoutError``; on a refusal part of ``data`` may be in
    the file, and the next append starts on a line of its own.
    """
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    with InterProcessLock(lock_path, timeout_s=lock_timeout_s):
        fd = os.open(path, flags, 0o600)
        try:
            if not _ends_with_newline(fd):
                data = b"\n" + data
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (a disk filling up can accept part of a line, then refuse)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _ends_with_newline(fd: int) -> bool:
    """Whether the file is empty or its last byte is a newline (the fd must be readable)."""
    if os.fstat(fd).st_size == 0:
        return True
    os.lseek(fd, -1, os.SEEK_END)
    return os.read(fd, 1) == b"\n"
