"""Typed errors of log downloads; ``path`` is the local file involved."""

from __future__ import annotations

import errno
from pathlib import Path

from app.api.errors import ConsoleError


class DownloadError(ConsoleError):
    """A download failed for a local reason or its result is unusable."""

    def __init__(self, message: str, *, path: Path | None = None, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.path = path


class DiskFullError(DownloadError):
    """No space left (or quota exceeded) while writing ``path``."""


class WritePermissionError(DownloadError):
    """The folder or file cannot be written (permissions, read-only medium)."""


class DiskError(DownloadError):
    """Any other failure to write or rename ``path``."""


class SizeMismatchError(DownloadError):
    """The saved file's size is not the size the server announced."""


class CorruptArchiveError(DownloadError):
    """The downloaded file is not a readable zip archive."""


class DownloadCancelledError(DownloadError):
    """``cancel()`` stopped the download; the partial file is kept for resuming."""


def disk_error(exc: OSError, path: Path) -> DownloadError:
    """The typed error for an ``OSError`` on ``path``."""
    detail = f"{type(exc).__name__}: errno {exc.errno}"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFullError(
            f"The disk is full: cannot save {path.name} in {path.parent}.",
            path=path,
            detail=detail,
        )
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return WritePermissionError(
            f"No permission to write {path.name} in {path.parent}: choose another folder.",
            path=path,
            detail=detail,
        )
    reason = exc.strerror or type(exc).__name__
    return DiskError(f"Cannot write {path}: {reason}.", path=path, detail=detail)
