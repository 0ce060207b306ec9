"""An exclusive lock between processes, held by the operating system on a lock file.

The lock is released by the OS when its holder exits or is killed, so a crashed process
never leaves a stale lock behind. Two locks on the same file conflict even inside one
process (each acquisition opens its own handle), so threads are serialized too.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

DEFAULT_TIMEOUT_S = 10.0
_POLL_S = 0.01

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class LockTimeoutError(TimeoutError):
    """The lock stayed held by someone else until the timeout."""


class InterProcessLock:
    """Context manager holding an exclusive lock on ``path`` (created if missing, never deleted).

    ``acquire`` waits up to ``timeout_s`` seconds, then raises ``LockTimeoutError``.
    One instance is not re-entrant.
    """

    def __init__(self, path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self._fd: int | None = None

    def __repr__(self) -> str:
        state = "held" if self._fd is not None else "free"
        return f"InterProcessLock({str(self.path)!r}, {state})"

    def acquire(self) -> None:
        if self._fd is not None:
            raise RuntimeError("This lock is already held.")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout_s
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(
                        f"{self.path.name} stayed locked by another process "
                        f"for {self.timeout_s:g} s."
                    )
                time.sleep(_POLL_S)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> InterProcessLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
