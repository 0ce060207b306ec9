"""Resumable log archive downloads and safe handling of server-suggested file names.

``LogDownload`` and ``LogSource`` (httpx behind them) are imported when first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.downloads.errors import (
    CorruptArchiveError,
    DiskError,
    DiskFullError,
    DownloadCancelledError,
    DownloadError,
    SizeMismatchError,
    WritePermissionError,
)
from app.downloads.filenames import safe_filename, unique_path
from app.downloads.partfile import ResumableDownload, find_resumable
from app.downloads.progress import DownloadProgress

if TYPE_CHECKING:
    from app.downloads.download import LogDownload, LogSource

__all__ = [
    "CorruptArchiveError",
    "DiskError",
    "DiskFullError",
    "DownloadCancelledError",
    "DownloadError",
    "DownloadProgress",
    "LogDownload",
    "LogSource",
    "ResumableDownload",
    "SizeMismatchError",
    "WritePermissionError",
    "find_resumable",
    "safe_filename",
    "unique_path",
]


def __getattr__(name: str) -> object:
    if name not in ("LogDownload", "LogSource"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from app.downloads import download

    value = getattr(download, name)
    globals()[name] = value  # once
    return value
