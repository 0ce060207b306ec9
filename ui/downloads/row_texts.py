"""What each cell of a download's row says: texts, tooltips and the status icon's name."""

from __future__ import annotations

from ui.downloads.download_item import DownloadItem, DownloadState
from ui.downloads.formatting import (
    format_eta,
    format_percent,
    format_rate,
    format_size,
    format_size_progress,
)

_STATUS_ICONS = {
    DownloadState.QUEUED: "download",
    DownloadState.RUNNING: "download",
    DownloadState.CANCELLED: "cancel",
    DownloadState.FAILED: "download-failed",
    DownloadState.DONE: "download-done",
}


def file_text(item: DownloadItem) -> str:
    """The saved file's name once done, the server's name before."""
    if item.state is DownloadState.DONE and item.saved_path is not None:
        return item.saved_path.name
    return item.server_name


def file_tooltip(item: DownloadItem) -> str:
    if item.state is DownloadState.DONE and item.saved_path is not None:
        return str(item.saved_path)
    what = f"Logs of {item.server_name} ({item.server_id}) into {item.folder}"
    return _lines(what, f"Failed: {item.error}" if item.state is DownloadState.FAILED else "")


def progress_text(item: DownloadItem) -> str:
    """``45 %``; empty while the size is unknown."""
    return format_percent(item.fraction)


def size_text(item: DownloadItem) -> str:
    """``120.5 MB of 1.0 GB`` while unfinished, the file's size once saved."""
    progress = item.progress
    if progress is None:
        return ""
    if item.state is DownloadState.DONE:
        return format_size(progress.total_bytes or progress.bytes_done)
    return format_size_progress(progress.bytes_done, progress.total_bytes)


def rate_text(item: DownloadItem) -> str:
    """The transfer rate while bytes arrive."""
    if item.state is not DownloadState.RUNNING or item.progress is None:
        return ""
    return format_rate(item.progress.rate)


def eta_text(item: DownloadItem) -> str:
    """Time left while bytes arrive."""
    if item.state is not DownloadState.RUNNING or item.progress is None:
        return ""
    return format_eta(item.progress.eta_seconds)


def status_text(item: DownloadItem) -> str:
    """``Downloading``, ``Cancelled — can be resumed``, ``Failed: <message>``, ``Saved``…"""
    state = item.state
    if state.active and item.cancel_requested:
        return "Cancelling…"
    if state is DownloadState.QUEUED:
        return "Starting…"
    if state is DownloadState.RUNNING:
        return "Downloading"
    if state is DownloadState.CANCELLED:
        if not item.connection_open:
            return "Cancelled — the connection is closed"
        return "Cancelled — can be resumed"
    if state is DownloadState.FAILED:
        return f"Failed: {item.error}"
    return "Saved"


def status_tooltip(item: DownloadItem) -> str:
    """The status in full: a failure's technical detail, where a partial file is kept."""
    state = item.state
    closed = (
        f"The connection {item.connection_name!r} is closed: connect again to resume."
        if not item.connection_open
        else ""
    )
    if state is DownloadState.QUEUED:
        return "Waiting for the server to send the log archive."
    if state is DownloadState.RUNNING:
        resumed = item.progress.resumed_from if item.progress is not None else 0
        if resumed:
            return f"Downloading; resumed after {format_size(resumed)} already saved."
        return "Downloading."
    if state is DownloadState.CANCELLED:
        kept = f"The partial file {item.part_path.name} is kept" if item.part_path else ""
        return _lines(kept and f"{kept} in {item.folder}.", closed or "Resume continues it.")
    if state is DownloadState.FAILED:
        saved = ""
        if item.progress is not None and item.progress.bytes_done:
            saved = f"{format_size(item.progress.bytes_done)} are kept: Retry continues from there."
        return _lines(f"Failed: {item.error}", item.detail, closed or saved)
    return f"Saved as {item.saved_path}."


def status_icon_name(item: DownloadItem) -> str:
    """The name of the icon (``ui.icons.icon``) shown next to the status text."""
    return _STATUS_ICONS[item.state]


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)
