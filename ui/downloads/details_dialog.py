"""The non-blocking "Download failed" details box of one download."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.downloads.download_item import DownloadItem


def open_details(parent: QWidget, item: DownloadItem) -> QMessageBox:
    """Open (window-modal, without a nested event loop) why ``item`` failed and return the
    box; it deletes itself when closed."""
    box = QMessageBox(parent)
    box.setObjectName("downloadDetailsDialog")
    box.setAccessibleName("Download details")
    box.setWindowTitle("Download failed")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setText(f"The logs of {item.server_name} ({item.connection_name}) were not saved.")
    box.setInformativeText(item.error or "The reason is unknown.")
    if item.detail:
        box.setDetailedText(item.detail)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
