"""DownloadItems and progress reports for tests that need no network."""

from __future__ import annotations

from pathlib import Path

from app.downloads import DownloadProgress
from ui.downloads import DownloadItem


def make_item(server_id: str = "as-01", *, connection: str = "Production") -> DownloadItem:
    number = server_id.removeprefix("as-")
    return DownloadItem(
        server_id=server_id,
        server_name=f"EKRAN-AS{number}",
        connection_id=f"id-{connection}",
        connection_name=connection,
        folder=Path("/downloads"),
    )


def report(
    item: DownloadItem,
    done: int,
    total: int | None = 1000,
    *,
    rate: float = 100.0,
    eta: float | None = None,
) -> DownloadProgress:
    """A progress report for ``item``; the ETA follows from the rate unless given."""
    if eta is None and total is not None and rate > 0:
        eta = (total - done) / rate
    return DownloadProgress(
        server_id=item.server_id, bytes_done=done, total_bytes=total, rate=rate, eta_seconds=eta
    )
