"""ConnectionsPane: the saved connections in a tree, with add, edit, remove, import and export."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QMenu,
    QMessageBox,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.connections.values import DEFAULT_POLL_INTERVAL_S
from app.monitor import MonitorStatus
from ui.connections.connection_actions import ConnectionActions
from ui.connections.connection_delegate import NAME_MIN_CHARS, ConnectionItemDelegate
from ui.connections.connection_tree_model import ConnectionRole, ConnectionTreeModel
from ui.connections.dialog_result import dispose_dialog
from ui.connections.message_bar import MessageBar, MessageKind
from ui.connections.pane_dialogs import (
    export_file_dialog,
    import_file_dialog,
    removal_confirmation,
)
from ui.connections.password_prompt import (
    ConnectionPasswordSource,
    PasswordPrompt,
    password_source_for,
)
from ui.connections.repository import ConnectionRepository
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.connections import ConnectionProfile
    from ui.connections.connection_dialog import ConnectionDialog

MIN_WIDTH_CHARS = NAME_MIN_CHARS + 8
"""The pane's minimum width in average characters: a name's minimum plus its icons."""


class ConnectionsPane(QWidget):
    """The connections list of the main window.

    Fill it with ``repository.reload()``. Dialogs open window-modal with ``open()``;
    every change goes through the repository, and the tree follows its
    ``connections_changed``. Names are elided in the middle ("Lab…ster 2") and never
    give way to their markers below ``NAME_MIN_CHARS`` characters; the pane cannot be
    made narrower than ``MIN_WIDTH_CHARS`` average characters.

    Signals:
        connection_activated(ConnectionProfile): a click (without Ctrl or Shift, which
            extend the selection), double-click, Enter or Connect.
        current_changed(object): the current connection (``ConnectionProfile``) or None.
    """

    connection_activated = Signal(object)
    current_changed = Signal(object)

    def __init__(
        self,
        repository: ConnectionRepository,
        runner: TaskRunner,
        prompt_parent: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionsPane")
        self.setAccessibleName("Connections pane")
        self._repository = repository
        self._runner = runner
        self._prompt_parent = prompt_parent
        self._prompt = PasswordPrompt()
        self.connection_dialog: ConnectionDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.remove_box: QMessageBox | None = None
        self.default_poll_interval: Callable[[], float] = lambda: DEFAULT_POLL_INTERVAL_S
        """The poll interval a new connection's dialog starts with (Preferences)."""

        self.model = ConnectionTreeModel(self)
        self.view = QTreeView(self)
        self.view.setObjectName("connectionList")
        self.view.setAccessibleName("Connections")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.delegate = ConnectionItemDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        self.view.activated.connect(self._on_view_activated)
        self.view.clicked.connect(self._on_view_clicked)
        self.view.selectionModel().currentChanged.connect(self._on_selection_current_changed)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self.model.modelReset.connect(self.view.expandAll)

        self.commands = ConnectionActions(self)
        self.commands.add.triggered.connect(self._on_add_triggered)
        self.commands.edit.triggered.connect(self._on_edit_triggered)
        self.commands.duplicate.triggered.connect(self._on_duplicate_triggered)
        self.commands.remove.triggered.connect(self._on_remove_triggered)
        self.commands.import_.triggered.connect(self._on_import_triggered)
        self.commands.export.triggered.connect(self._on_export_triggered)
        self.commands.connect.triggered.connect(self._on_connect_triggered)
        self.addActions(self.commands.all())
        self.context_menu = self._build_context_menu()

        self.messages = MessageBar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_toolbar())
        layout.addWidget(self.messages)
        layout.addWidget(self.view, 1)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * MIN_WIDTH_CHARS)

        repository.connections_changed.connect(self._on_repository_connections_changed)
        repository.problem_reported.connect(
            lambda text: self.messages.show_message(MessageKind.WARNING, text)
        )
        repository.operation_failed.connect(
            lambda text: self.messages.show_message(MessageKind.ERROR, text)
        )
        repository.operation_completed.connect(
            lambda text: self.messages.show_message(MessageKind.INFO, text)
        )
        self._on_repository_connections_changed(repository.profiles())

    # -- public ----------------------------------------------------------------------------
    def actions(self) -> list[QAction]:
        """Connect, Add…, Edit…, Duplicate, Remove…, Import…, Export… (for the menus)."""
        return self.commands.all()

    def set_status(self, connection_id: str, status: MonitorStatus) -> None:
        self.model.set_status(connection_id, status)

    def clear_status(self, connection_id: str) -> None:
        self.model.clear_status(connection_id)

    def select(self, connection_id: str) -> bool:
        """Make the connection current and visible; False if it is not in the list."""
        index = self.model.index_of(connection_id)
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def current_profile(self) -> ConnectionProfile | None:
        return self.model.profile_at(self.view.currentIndex())

    def password_source(self, profile: ConnectionProfile) -> ConnectionPasswordSource:
        """Where a session of ``profile`` gets its password (keyring, else a prompt)."""
        parent = self._prompt_parent or self.window()
        return password_source_for(profile, self._repository, self._prompt, parent)

    # -- building --------------------------------------------------------------------------
    def _build_toolbar(self) -> QToolBar:
        toolbar = QToolBar("Connections", self)
        toolbar.setObjectName("connectionsToolbar")
        toolbar.setAccessibleName("Connection commands")
        side = round(self.fontMetrics().height() * 1.25)
        toolbar.setIconSize(QSize(side, side))
        for action in self.commands.all()[1:]:
            toolbar.addAction(action)
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        return toolbar

    def _build_context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("connectionsContextMenu")
        commands = self.commands
        font = menu.font()
        font.setBold(True)
        commands.connect.setFont(font)
        menu.addAction(commands.connect)
        menu.addSeparator()
        for action in (commands.edit, commands.duplicate, commands.remove):
            menu.addAction(action)
        menu.addSeparator()
        for action in (commands.add, commands.import_, commands.export):
            menu.addAction(action)
        return menu

    # -- model and selection ---------------------------------------------------------------
    def _on_repository_connections_changed(self, profiles: list[ConnectionProfile]) -> None:
        transient = [p.id for p in profiles if self._repository.is_transient(p.id)]
        self.model.set_profiles(profiles, transient=transient)
        self._update_actions()
        self.current_changed.emit(self.current_profile())

    def _on_model_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            index = self.model.index(row, 0, parent)
            if index.data(ConnectionRole.IS_FOLDER):
                self.view.expand(index)
        if parent.isValid():
            self.view.expand(parent)

    def _on_selection_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        self.current_changed.emit(self.model.profile_at(current))

    def _update_actions(self, *_: Any) -> None:
        has_connection = self.current_profile() is not None
        for action in (
            self.commands.edit,
            self.commands.duplicate,
            self.commands.remove,
            self.commands.connect,
        ):
            self.commands.set_available(action, has_connection)
        self.commands.set_available(self.commands.export, bool(self._repository.profiles()))

    def _selected_profiles(self) -> list[ConnectionProfile]:
        chosen: dict[str, ConnectionProfile] = {}
        for index in self.view.selectionModel().selectedIndexes():
            for profile in self.model.profiles_under(index):
                chosen.setdefault(profile.id, profile)
        return list(chosen.values())

    def _current_folder(self) -> str:
        index = self.view.currentIndex()
        path = index.data(ConnectionRole.FOLDER_PATH) if index.isValid() else None
        return path if isinstance(path, str) else ""

    def _select_when_done(self, task: asyncio.Task[Any] | None) -> None:
        def done(finished: asyncio.Task[Any]) -> None:
            if finished.cancelled() or finished.exception() is not None:
                return
            from app.connections.model import ConnectionProfile  # loaded with the result

            result = finished.result()
            if isinstance(result, ConnectionProfile):
                self.select(result.id)

        if task is not None:
            task.add_done_callback(done)

    # -- activation ------------------------------------------------------------------------
    def _on_view_activated(self, index: QModelIndex) -> None:
        profile = self.model.profile_at(index)
        if profile is not None:
            self.connection_activated.emit(profile)

    def _on_view_clicked(self, index: QModelIndex) -> None:
        """One click shows the connection, so the highlighted one is the one shown."""
        extending = QApplication.keyboardModifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        if not extending:
            self._on_view_activated(index)

    def _on_connect_triggered(self) -> None:
        profile = self.current_profile()
        if profile is not None:
            self.connection_activated.emit(profile)

    def _on_view_context_menu_requested(self, position: QPoint) -> None:
        self._update_actions()
        self.context_menu.popup(self.view.viewport().mapToGlobal(position))

    # -- add, edit, duplicate, remove -------------------------------------------------------
    def _on_add_triggered(self) -> None:
        from ui.connections.connection_dialog import ConnectionDialog  # httpx: when first opened

        dialog = ConnectionDialog(
            self._runner,
            groups=self._repository.groups(),
            default_group=self._current_folder(),
            keyring_available=self._repository.keyring_available,
            parent=self,
        )
        dialog.form.poll_spin.setValue(self.default_poll_interval())
        dialog.accepted.connect(
            lambda: self._select_when_done(
                self._repository.add(dialog.result_profile(), dialog.result_password())
            )
        )
        self._open_connection_dialog(dialog)

    def _on_edit_triggered(self) -> None:
        profile = self.current_profile()
        if profile is None:
            return
        from ui.connections.connection_dialog import ConnectionDialog  # httpx: when first opened

        repository = self._repository
        dialog = ConnectionDialog(
            self._runner,
            profile=profile,
            editing=True,
            groups=repository.groups(),
            keyring_available=repository.keyring_available,
            saved_password=lambda: repository.get_password(profile),
            parent=self,
        )
        dialog.accepted.connect(
            lambda: self._select_when_done(
                repository.update(
                    dialog.result_profile(),
                    dialog.result_password(),
                    forget_password=dialog.result_forget_password(),
                )
            )
        )
        self._open_connection_dialog(dialog)

    def _open_connection_dialog(self, dialog: ConnectionDialog) -> None:
        dispose_dialog(self.connection_dialog)
        self.connection_dialog = dialog
        dialog.open()

    def _on_duplicate_triggered(self) -> None:
        profile = self.current_profile()
        if profile is not None:
            self._select_when_done(self._repository.duplicate(profile))

    def _on_remove_triggered(self) -> None:
        profile = self.current_profile()
        if profile is None:
            return
        dispose_dialog(self.remove_box)
        box, remove_button = removal_confirmation(
            profile, transient=self._repository.is_transient(profile.id), parent=self
        )

        def on_finished(_result: int) -> None:
            if box.clickedButton() is remove_button:
                self._repository.remove(profile)

        box.finished.connect(on_finished)
        self.remove_box = box
        box.open()

    # -- import and export -----------------------------------------------------------------
    def _on_import_triggered(self) -> None:
        dialog = import_file_dialog(self)
        dialog.fileSelected.connect(lambda path: self._repository.import_file(Path(path)))
        self._open_file_dialog(dialog)

    def _on_export_triggered(self) -> None:
        profiles = self._selected_profiles() or self._repository.profiles()
        if not profiles:
            return
        dialog = export_file_dialog(self, len(profiles))
        dialog.fileSelected.connect(lambda path: self._repository.export_file(Path(path), profiles))
        self._open_file_dialog(dialog)

    def _open_file_dialog(self, dialog: QFileDialog) -> None:
        dispose_dialog(self.file_dialog)
        self.file_dialog = dialog
        dialog.open()
