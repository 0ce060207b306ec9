"""The Downloads panel: logs downloads of Application Servers, listed, resumable.

Each name is imported when first asked for: the Downloads dock paints before the
download machinery (httpx) is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from ui.downloads.download_item import DownloadItem, DownloadState
    from ui.downloads.downloads_model import DownloadColumn, DownloadRole, DownloadsModel
    from ui.downloads.downloads_panel import DownloadsPanel

_MODULES = {
    "DownloadColumn": "ui.downloads.downloads_model",
    "DownloadItem": "ui.downloads.download_item",
    "DownloadRole": "ui.downloads.downloads_model",
    "DownloadState": "ui.downloads.download_item",
    "DownloadsModel": "ui.downloads.downloads_model",
    "DownloadsPanel": "ui.downloads.downloads_panel",
}

__all__ = [
    "DownloadColumn",
    "DownloadItem",
    "DownloadRole",
    "DownloadState",
    "DownloadsModel",
    "DownloadsPanel",
]


__getattr__ = lazy_exports(globals(), _MODULES)
