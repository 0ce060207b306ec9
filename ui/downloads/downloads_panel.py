"""DownloadsPanel: the dock listing logs downloads, with cancel, resume and open-folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QMenu,
    QMessageBox,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.downloads.details_dialog import open_details
from ui.downloads.download_actions import ACCESSIBLE_NAME, DownloadActions
from ui.downloads.download_item import DownloadItem, DownloadState
from ui.downloads.download_manager import DownloadManager
from ui.downloads.downloads_model import DownloadColumn, DownloadsModel
from ui.downloads.progress_delegate import ProgressDelegate
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.session import ConnectionSession

# Initial column widths, in average character widths of the view's font.
_COLUMN_CHARS = {
    DownloadColumn.FILE: 28,
    DownloadColumn.CONNECTION: 16,
    DownloadColumn.PROGRESS: 14,
    DownloadColumn.SIZE: 22,
    DownloadColumn.RATE: 11,
    DownloadColumn.ETA: 9,
}
_STATUS_CHARS = 30


class DownloadsPanel(QDockWidget):
    """The "Downloads" dock: one row per logs download, several running at once.

    ``start`` adds and runs a download and shows the panel. Failures are shown in their
    row (message; technical detail in the tooltip and in "Details…"), never as a
    dialog of their own. Signals carry the DownloadItem: ``download_finished``,
    ``download_failed``, ``download_cancelled``, ``download_progressed``.
    Call ``detach_session`` before closing a connection and ``shutdown`` before exit.
    """

    download_finished = Signal(object)
    download_failed = Signal(object)
    download_cancelled = Signal(object)
    download_progressed = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Downloads", parent)
        self.setObjectName("downloadsPanel")
        self.setAccessibleName("Downloads")
        self._model = DownloadsModel(self)
        self._manager = DownloadManager(runner, self._model, self)
        self._actions = DownloadActions(self)
        self._details: QMessageBox | None = None
        self.folder_box: QMessageBox | None = None
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        """Opens a folder in the file manager; False when nothing could (replaceable)."""
        self._view = self._build_view()
        self._menu = self._build_menu()
        body = QWidget(self)
        body.setObjectName("downloadsPanelBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_toolbar())
        layout.addWidget(self._view)
        self.setWidget(body)
        self._connect()
        self._update_actions()

    # -- public API --------------------------------------------------------------------
    @property
    def model(self) -> DownloadsModel:
        return self._model

    def start(
        self, session: ConnectionSession, server_id: str, server_name: str, folder: Path
    ) -> DownloadItem:
        """Download ``server_id``'s logs into ``folder`` (continuing an unfinished
        download found there) and show the panel; returns the new row's item."""
        item = self._manager.start(session, server_id, server_name, folder)
        self.show()
        self.raise_()
        return item

    def cancel(self, item: DownloadItem) -> None:
        """Stop a queued or running download; its partial file is kept for a resume."""
        self._manager.cancel(item)

    def resume(self, item: DownloadItem) -> bool:
        """Resume a cancelled, or retry a failed, download; False if it cannot (its row
        then says why)."""
        return self._manager.resume(item)

    def active_count(self) -> int:
        """How many downloads are queued or running."""
        return self._manager.active_count()

    def attach_session(self, session: ConnectionSession) -> None:
        """A connection (re)opened: its cancelled and failed downloads can be resumed."""
        self._manager.attach_session(session)

    async def detach_session(self, session: ConnectionSession) -> None:
        """Before ``session`` closes: cancel and await its downloads; rows keep their
        partial files and say the connection is closed."""
        await self._manager.detach_session(session)

    async def shutdown(self) -> None:
        """Cancel every running download (partial files stay) and await their tasks."""
        await self._manager.shutdown()

    # -- building ----------------------------------------------------------------------
    def _build_view(self) -> QTableView:
        view = QTableView(self)
        view.setObjectName("downloadsTable")
        view.setAccessibleName("Downloads list")
        view.setModel(self._model)
        view.setItemDelegateForColumn(DownloadColumn.PROGRESS, ProgressDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics = view.fontMetrics()
        char = metrics.averageCharWidth()
        for column, chars in _COLUMN_CHARS.items():
            title = str(self._model.headerData(column, Qt.Orientation.Horizontal))
            view.setColumnWidth(column, max(chars, len(title) + 4) * char)
        # Status right after File, so a failure shows without scrolling in a narrow dock
        # (the model keeps its column order; only the view shows them in this one).
        # It also takes the width the others leave, rather than the empty Time left.
        header.moveSection(header.visualIndex(DownloadColumn.STATUS), 1)
        view.setColumnWidth(DownloadColumn.STATUS, _STATUS_CHARS * char)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(DownloadColumn.STATUS, QHeaderView.ResizeMode.Stretch)
        return view

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar("Downloads actions", self)
        bar.setObjectName("downloadsToolBar")
        bar.setAccessibleName("Downloads actions")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        side = self.fontMetrics().height()
        bar.setIconSize(QSize(side, side))
        actions = self._actions
        for action in (actions.cancel, actions.resume, actions.open_folder, actions.details):
            bar.addAction(action)
        bar.addSeparator()
        bar.addAction(actions.remove)
        bar.addAction(actions.clear_finished)
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setObjectName(f"{action.objectName()}Button")
                button.setAccessibleName(str(action.property(ACCESSIBLE_NAME)))
        # Delete acts on the table, not on whatever has focus elsewhere in the window.
        self._view.addAction(actions.remove)
        actions.remove.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return bar

    def _build_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("downloadsContextMenu")
        menu.setAccessibleName("Download actions")
        actions = self._actions
        menu.addActions([actions.cancel, actions.resume, actions.open_folder, actions.details])
        menu.addSeparator()
        menu.addActions([actions.remove, actions.clear_finished])
        return menu

    def _connect(self) -> None:
        manager = self._manager
        manager.download_finished.connect(self.download_finished)
        manager.download_failed.connect(self.download_failed)
        manager.download_cancelled.connect(self.download_cancelled)
        manager.download_progressed.connect(self.download_progressed)
        self._view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self._view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        self._view.doubleClicked.connect(self._on_view_double_clicked)
        for signal in (
            self._model.dataChanged,
            self._model.rowsInserted,
            self._model.rowsRemoved,
        ):
            signal.connect(self._update_actions)
        actions = self._actions
        actions.cancel.triggered.connect(self._on_cancel_triggered)
        actions.resume.triggered.connect(self._on_resume_triggered)
        actions.open_folder.triggered.connect(self._on_open_folder_triggered)
        actions.details.triggered.connect(self._on_details_triggered)
        actions.remove.triggered.connect(self._on_remove_triggered)
        actions.clear_finished.triggered.connect(self._on_clear_finished_triggered)

    # -- selection and actions -----------------------------------------------------------
    def selected_items(self) -> list[DownloadItem]:
        """The downloads of the selected rows, top to bottom."""
        rows = sorted(index.row() for index in self._view.selectionModel().selectedRows())
        return [self._model.item_at(row) for row in rows]

    def _update_actions(self) -> None:
        saved = any(item.state is DownloadState.DONE for item in self._model.items())
        self._actions.update(self.selected_items(), saved)

    def _on_view_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        self._update_actions()

    def _on_view_context_menu_requested(self, position: QPoint) -> None:
        self._update_actions()
        self._menu.popup(self._view.viewport().mapToGlobal(position))

    def _on_cancel_triggered(self) -> None:
        for item in self.selected_items():
            self._manager.cancel(item)

    def _on_resume_triggered(self) -> None:
        for item in self.selected_items():
            self._manager.resume(item)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        """A failed row shows why; any other opens its folder."""
        if self._model.item_at(index.row()).state is DownloadState.FAILED:
            self._on_details_triggered()
        else:
            self._on_open_folder_triggered()

    def _on_open_folder_triggered(self) -> None:
        folders = dict.fromkeys(item.folder for item in self.selected_items())
        failed = [f for f in folders if not self.open_url(QUrl.fromLocalFile(str(f)))]
        if failed:
            self._say_folder_not_opened(failed)

    def _say_folder_not_opened(self, folders: list[Path]) -> None:
        """Say that no program could show the folder, and where the files are."""
        if self.folder_box is not None:
            self.folder_box.close()
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Open folder",
            "No program to show folders is set up here, so the folder could not be opened.",
            parent=self,
        )
        box.setObjectName("folderNotOpenedBox")
        paths = "\n".join(str(folder) for folder in folders)
        box.setInformativeText(f"The logs are in:\n{paths}")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        copy = box.addButton("&Copy path and close", QMessageBox.ButtonRole.ActionRole)
        copy.setObjectName("copyFolderPath")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(paths))
        box.addButton(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._on_folder_box_destroyed)
        self.folder_box = box
        box.open()

    def _on_folder_box_destroyed(self) -> None:
        self.folder_box = None

    def _on_details_triggered(self) -> None:
        failed = [i for i in self.selected_items() if i.state is DownloadState.FAILED]
        if not failed:
            return
        if self._details is not None:
            self._details.close()  # one details box at a time
        self._details = open_details(self, failed[0])
        self._details.destroyed.connect(self._on_details_destroyed)

    def _on_details_destroyed(self) -> None:
        self._details = None

    def _on_remove_triggered(self) -> None:
        for item in self.selected_items():
            self._manager.remove(item)

    def _on_clear_finished_triggered(self) -> None:
        self._manager.clear_finished()
