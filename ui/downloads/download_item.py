"""One logs download in the Downloads panel: what it is, where it stands, what runs it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.downloads import DownloadProgress, LogDownload


class DownloadState(Enum):
    """Where a download stands.

    QUEUED: started, no byte received yet (connecting, the server preparing the archive).
    RUNNING: bytes arriving. CANCELLED: stopped by the user or on exit; the partial file
    is kept, so it can be resumed. FAILED: stopped by an error (``DownloadItem.error``);
    a retry resumes from the partial file when one was kept. DONE: saved.
    """

    QUEUED = "queued"
    RUNNING = "running"
    CANCELLED = "cancelled"
    FAILED = "failed"
    DONE = "done"

    @property
    def active(self) -> bool:
        """A task is running for it."""
        return self in (DownloadState.QUEUED, DownloadState.RUNNING)

    @property
    def resumable(self) -> bool:
        """Resume or retry applies to it."""
        return self in (DownloadState.CANCELLED, DownloadState.FAILED)


@dataclass(eq=False)
class DownloadItem:
    """One log archive of one server into one folder, across its runs (resumes).

    Plain data, changed only by the Downloads panel through the ``mark_*`` methods.
    ``error`` is the one-line message of the last failure, ``detail`` its technical
    detail; ``saved_path`` is the final file once DONE; ``part_path`` the partial file
    kept by the last cancelled run, when known. ``connection_open`` turns
    False when the connection it came from is closed: it cannot be resumed then.
    Items compare by identity.
    """

    server_id: str
    server_name: str
    connection_id: str
    connection_name: str
    folder: Path
    state: DownloadState = DownloadState.QUEUED
    progress: DownloadProgress | None = None
    saved_path: Path | None = None
    part_path: Path | None = None
    error: str = ""
    detail: str = ""
    cancel_requested: bool = False
    connection_open: bool = True
    download: LogDownload | None = field(default=None, repr=False)
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def fallback_name(self) -> str:
        """The file name used when the server suggests none."""
        return f"{self.server_name}_logs.zip"

    @property
    def fraction(self) -> float | None:
        """Done as 0.0–1.0 (1.0 once saved), None while unknown."""
        if self.state is DownloadState.DONE:
            return 1.0
        return None if self.progress is None else self.progress.fraction

    @property
    def can_resume(self) -> bool:
        return self.state.resumable and self.connection_open

    def begin(self, download: LogDownload) -> None:
        """A new run (first start, resume or retry) of ``download``."""
        self.download = download
        self.task = None
        self.state = DownloadState.QUEUED
        self.error = self.detail = ""
        self.cancel_requested = False

    def record_progress(self, progress: DownloadProgress) -> None:
        self.progress = progress
        if self.state is DownloadState.QUEUED:
            self.state = DownloadState.RUNNING

    def mark_done(self, path: Path) -> None:
        self.state = DownloadState.DONE
        self.saved_path = path
        self.part_path = None

    def mark_failed(self, message: str, detail: str) -> None:
        self.state = DownloadState.FAILED
        self.error, self.detail = message, detail

    def mark_cancelled(self, part_path: Path | None) -> None:
        self.state = DownloadState.CANCELLED
        self.part_path = part_path
