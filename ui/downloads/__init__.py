"""The Downloads panel: logs downloads of Application Servers, listed, resumable."""

from ui.downloads.download_item import DownloadItem, DownloadState
from ui.downloads.downloads_model import DownloadColumn, DownloadRole, DownloadsModel
from ui.downloads.downloads_panel import DownloadsPanel

__all__ = [
    "DownloadColumn",
    "DownloadItem",
    "DownloadRole",
    "DownloadState",
    "DownloadsModel",
    "DownloadsPanel",
]
