"""A one-line progress display for downloads on a terminal."""

from __future__ import annotations

from typing import TextIO

from app.downloads.progress import DownloadProgress

BAR_WIDTH = 28


def human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


class ProgressLine:
    """Redraws one line on ``stream``; does nothing when ``enabled`` is False."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self._stream = stream
        self._enabled = enabled
        self._drawn = False

    def update(self, progress: DownloadProgress) -> None:
        if not self._enabled:
            return
        fraction = progress.fraction
        if fraction is not None and progress.total_bytes:
            filled = int(fraction * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            amount = f"{human_size(progress.bytes_done)} / {human_size(progress.total_bytes)}"
            line = f"[{bar}] {fraction:4.0%}  {amount}"
        else:
            line = human_size(progress.bytes_done)
        line += f"  {human_size(progress.rate)}/s"
        if progress.eta_seconds is not None:
            eta = int(progress.eta_seconds)
            line += f"  ETA {eta // 60}:{eta % 60:02d}"
        self._stream.write("\r" + line.ljust(78))
        self._stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False
