"""The Downloads panel: logs downloads of Application Servers, listed, resumable.

Each name is imported when first asked for: the Downloads dock paints before the
download machinery (httpx) is loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once
    return value
