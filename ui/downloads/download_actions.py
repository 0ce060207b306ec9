"""The Downloads panel's actions and when each of them applies."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from ui.downloads.download_item import DownloadItem, DownloadState
from ui.icons import icon

ACCESSIBLE_NAME = "accessibleName"  # dynamic property of each action


class DownloadActions(QObject):
    """Cancel, Resume/Retry, Open folder, Details…, Remove from list and Clear finished.

    ``update`` enables each action for the selected downloads and sets a tooltip that
    says what it does or, when disabled, why. Each action carries its accessible name in
    the dynamic property ``accessibleName`` for the buttons that show it.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel = self._action("actionCancelDownload", "&Cancel", "cancel", "Cancel download")
        self.resume = self._action("actionResumeDownload", "&Resume", "retry", "Resume download")
        self.open_folder = self._action(
            "actionOpenDownloadFolder", "&Open folder", "open-folder", "Open download folder"
        )
        self.details = self._action(
            "actionShowDownloadDetails", "&Details…", None, "Show download details"
        )
        self.remove = self._action(
            "actionClearDownload", "Re&move from list", None, "Remove download from list"
        )
        self.remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.clear_finished = self._action(
            "actionClearFinishedDownloads", "Clear &finished", None, "Clear finished downloads"
        )

    def _action(self, name: str, text: str, icon_name: str | None, accessible: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if icon_name is not None:
            action.setIcon(icon(icon_name))
        action.setIconText(text.replace("&", "").removesuffix("…"))
        # QAction has no accessible name of its own: widgets showing it copy this property.
        action.setProperty(ACCESSIBLE_NAME, accessible)
        return action

    def update(self, selected: Sequence[DownloadItem], any_saved: bool) -> None:
        """Enable and explain every action for ``selected``; ``any_saved``: the list
        holds saved downloads."""
        self._update_cancel(selected)
        self._update_resume(selected)
        self._set(
            self.open_folder,
            bool(selected),
            "Open the folder of the selected downloads",
            "Select a download to open its folder.",
        )
        failed = [item for item in selected if item.state is DownloadState.FAILED]
        self._set(
            self.details,
            len(selected) == 1 and bool(failed),
            "Show why the selected download failed",
            "Select one failed download to see why it failed.",
        )
        removable = [item for item in selected if not item.state.active]
        self._set(
            self.remove,
            bool(removable),
            "Remove the selected finished, failed or cancelled downloads from the list "
            "(their files stay in the folder)",
            "Downloads in progress cannot be removed: cancel them first."
            if selected
            else "Select a finished, failed or cancelled download to remove it from the list.",
        )
        self._set(
            self.clear_finished,
            any_saved,
            "Remove every saved download from the list (the files stay in their folders)",
            "No saved downloads in the list.",
        )

    def _update_cancel(self, selected: Sequence[DownloadItem]) -> None:
        running = [item for item in selected if item.state.active and not item.cancel_requested]
        self._set(
            self.cancel,
            bool(running),
            "Stop the selected downloads; they can be resumed later",
            "Select a download in progress to cancel it.",
        )

    def _update_resume(self, selected: Sequence[DownloadItem]) -> None:
        stopped = [item for item in selected if item.state.resumable]
        ready = [item for item in stopped if item.connection_open]
        retry = bool(stopped) and all(item.state is DownloadState.FAILED for item in stopped)
        text = "&Retry" if retry else "&Resume"
        if self.resume.text() != text:
            self.resume.setText(text)
            self.resume.setIconText(text.replace("&", ""))
        if stopped and not ready:
            names = sorted({item.connection_name for item in stopped})
            why = f"The connection {', '.join(names)} is closed: connect again to resume."
        else:
            why = "Select a cancelled or failed download to resume it."
        self._set(
            self.resume,
            bool(ready),
            "Download the rest of the selected downloads, continuing their partial files",
            why,
        )

    @staticmethod
    def _set(action: QAction, enabled: bool, what: str, why_not: str) -> None:
        # Only real changes: each one makes every button and menu showing the action update.
        tip = what if enabled else why_not
        if action.isEnabled() != enabled:
            action.setEnabled(enabled)
        if action.toolTip() != tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
