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
from app.lazy_exports import lazy_exports

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


__getattr__ = lazy_exports(
    globals(), {"LogDownload": "app.downloads.download", "LogSource": "app.downloads.download"}
)
