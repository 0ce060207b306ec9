"""Resumable log archive downloads and safe handling of server-suggested file names."""

from app.downloads.download import LogDownload, LogSource
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
