"""The window's entry to the events pane: builds it, records into it, opens it from the
View menu, its shortcut and a click on a tray balloon."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QFileDialog, QMainWindow, QMenu

from app.alerts import AlertEngine
from app.api.models import ClusterSnapshot
from app.audit import AuditLog
from app.events import EventStore, write_csv
from app.monitor import MonitorStatus
from app.paths import AppPaths
from ui.alerts import AlertCenter
from ui.connections.dialog_result import dialog_result
from ui.dialogs.error_details import Notice
from ui.events.events_model import EventsTableModel
from ui.events.events_panel import EventsPanel
from ui.events.events_recorder import EventsRecorder
from ui.sessions import SessionManager
from ui.tasks import TaskRunner

SHORTCUT = "Ctrl+Shift+E"


class Services(Protocol):
    """What the events pane needs of the window's services."""

    @property
    def paths(self) -> AppPaths: ...

    @property
    def runner(self) -> TaskRunner: ...

    @property
    def audit(self) -> AuditLog | None: ...

    @property
    def alerts(self) -> AlertEngine: ...


class EventsHookup(QObject):
    """The events pane of one window: ``panel``, ``model``, ``recorder``, ``action``
    (View > Events, Ctrl+Shift+E: shows the pane and puts the focus in its table)."""

    def __init__(
        self,
        window: QMainWindow,
        services: Services,
        alerts: AlertCenter,
        post: Callable[[Notice], None],
        sessions: SessionManager,
        *,
        tab_with: QDockWidget | None = None,
    ) -> None:
        super().__init__(window)
        self._sessions = sessions
        self._window = window
        self._runner = services.runner
        self._post = post
        self.export_dialog: QFileDialog | None = None
        self.model = EventsTableModel(self)
        self.recorder = EventsRecorder(
            EventStore.in_data_dir(services.paths),
            self.model,
            services.runner,
            audit=services.audit,
            parent=self,
        )
        self.panel = EventsPanel(self.model, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.panel)
        if tab_with is not None:
            window.tabifyDockWidget(tab_with, self.panel)
        self.panel.hide()
        self.action = QAction("&Events", window)
        self.action.setObjectName("actionShowEvents")
        self.action.setProperty("accessibleName", "Events")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        tip = "Show every change and action of the last 30 days"
        self.action.setStatusTip(tip)
        self.action.setToolTip(f"{tip} ({SHORTCUT})")
        self.action.triggered.connect(self.open)
        window.addAction(self.action)
        view_menu = window.menuBar().findChild(QMenu, "menuView")
        if view_menu is not None:
            view_menu.addAction(self.action)
        self.recorder.problem_reported.connect(
            lambda text, problem: post(Notice(text, error=problem))
        )
        self.panel.export_requested.connect(self._on_panel_export_requested)
        alerts.tray.message_clicked.connect(self._on_tray_message_clicked)
        sessions.snapshot_received.connect(self._on_sessions_snapshot_received)
        sessions.status_changed.connect(self._on_sessions_status_changed)
        self.recorder.attach(services.alerts)
        QTimer.singleShot(0, self.recorder.start)  # once the loop runs

    def open(self) -> None:
        """Show the pane in front, with the keyboard focus in its table."""
        self.panel.show()
        self.panel.raise_()
        self.panel.focus_table()

    def close(self) -> None:
        """The window has closed: stop recording and write what is left."""
        self.recorder.detach()
        self.recorder.flush_now()

    def _on_sessions_snapshot_received(self, connection_id: str, snapshot: object) -> None:
        opened = self._sessions.connection(connection_id)
        if opened is not None and isinstance(snapshot, ClusterSnapshot):
            self.recorder.learn_names(opened.profile.name, snapshot)

    def _on_sessions_status_changed(self, connection_id: str, status: object) -> None:
        opened = self._sessions.connection(connection_id)
        if isinstance(status, MonitorStatus):
            name = opened.profile.name if opened is not None else ""
            self.recorder.note_status(connection_id, name, status)

    def _on_tray_message_clicked(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
        self.open()

    def _on_panel_export_requested(self) -> None:
        self._runner.start(self._export(), name="export the events")

    async def _export(self) -> None:
        if self.export_dialog is not None:
            self.export_dialog.reject()
        dialog = QFileDialog(self._window, "Export events", str(Path.home() / "events.csv"))
        dialog.setObjectName("eventsExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        self.export_dialog = dialog
        try:
            accepted = await dialog_result(dialog) == QDialog.DialogCode.Accepted
            chosen = dialog.selectedFiles()
        finally:
            if self.export_dialog is dialog:
                self.export_dialog = None
            dialog.deleteLater()
        if not accepted or not chosen:
            return
        await self.export_to(Path(chosen[0]))

    async def export_to(self, path: Path) -> None:
        """Write the events shown, as shown, to ``path`` (off the UI thread) and say so."""
        records = self.panel.shown_records()
        try:
            count = await asyncio.to_thread(write_csv, records, path)
        except OSError as error:
            reason = error.strerror or str(error)
            self._post(Notice(f"The events were not exported to {path} ({reason}).", repr(error)))
            return
        noun = "event" if count == 1 else "events"
        self._post(Notice(f"{count} {noun} exported to {path}.", error=False))


def install_events(
    window: QMainWindow,
    services: Services,
    alerts: AlertCenter,
    post: Callable[[Notice], None],
    sessions: SessionManager,
    closed: SignalInstance,
    tab_with: QDockWidget | None = None,
) -> EventsHookup:
    """Build the events pane into ``window``; it stops recording on ``closed`` (the
    window's shutdown has finished)."""
    hookup = EventsHookup(window, services, alerts, post, sessions, tab_with=tab_with)
    closed.connect(hookup.close)
    return hookup
