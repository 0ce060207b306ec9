"""The question asked when the window closes while logs downloads are running."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


def quit_with_downloads_box(parent: QWidget, running: int) -> tuple[QMessageBox, QAbstractButton]:
    """A window-modal question (open it with ``open()``) and its "cancel and quit" button."""
    noun = "download is" if running == 1 else "downloads are"
    box = QMessageBox(
        QMessageBox.Icon.Question, "Quit", f"{running} logs {noun} still running.", parent=parent
    )
    box.setObjectName("quitWithDownloadsDialog")
    box.setInformativeText(
        "Quitting cancels them; the partial files are kept and can be resumed later."
    )
    quit_button = box.addButton("&Cancel downloads and quit", QMessageBox.ButtonRole.AcceptRole)
    quit_button.setObjectName("quitCancelDownloads")
    keep = box.addButton("&Keep running", QMessageBox.ButtonRole.RejectRole)
    keep.setObjectName("quitKeepRunning")
    box.setDefaultButton(keep)
    return box, quit_button
