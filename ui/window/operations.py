"""ServerOperations: what the server actions do — dialogs, requests, pending rows, downloads.

Every request runs as a TaskRunner task; dialogs are opened with ``open()`` and awaited
through their ``finished`` signal (no nested event loop). Isolation changes show a
pending text in the table until a snapshot confirms them (``PendingChanges``); results
and failures are posted as ``Notice`` values (one line, detail for the log and the
Messages dialog), never as a modal box per failure; a refusal for permissions (403) is
also shown whole, in one box.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from app.analysis import can_download_logs
from app.api.errors import AuthenticationError, AuthErrorKind, ConsoleError
from app.api.models import ClusterSnapshot, Server
from app.monitor import ServerHealth
from app.server_health import health_problem
from app.text_safety import display_text
from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.formatting import clients_phrase
from ui.connections.dialog_result import dialog_result
from ui.dialogs.error_details import Notice
from ui.dialogs.health_dialog import HealthDialog
from ui.dialogs.isolate_dialog import IsolateDialog
from ui.dialogs.version_dialog import VersionDialog
from ui.downloads.downloads_panel import DownloadsPanel
from ui.preferences import Preferences
from ui.sessions import OpenConnection, SessionManager
from ui.settings import WindowSettings
from ui.tasks import TaskRunner
from ui.window.action_journal import ActionJournal
from ui.window.pending import Change, PendingChange, PendingChanges

log = logging.getLogger(__name__)

FolderPicker = Callable[[QWidget, Path | None], Awaitable[Path | None]]


async def pick_folder(parent: QWidget, start: Path | None) -> Path | None:
    """Ask for a folder with a window-modal folder dialog; None if cancelled."""
    dialog = QFileDialog(parent, "Download logs to folder", str(start or Path.home()))
    dialog.setObjectName("logsFolderDialog")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
        return None
    chosen = dialog.selectedFiles()
    return Path(chosen[0]) if chosen else None


def _is_refusal(error: ConsoleError) -> bool:
    """A 403: the account may not. It is shown whole, in one box (later ones join it; when
    the login did not list permissions, Isolate and Return are disabled from then on);
    other failures stay notices."""
    return isinstance(error, AuthenticationError) and error.kind is AuthErrorKind.FORBIDDEN


class ServerOperations(QObject):
    """Runs the server actions of the current connection of ``sessions``.

    ``pick_folder`` chooses the logs folder (replaceable, e.g. in tests). Dialogs open
    over ``dialog_parent``; at most one Health and one Version dialog are open at a time.
    Isolation changes are reported to ``journal`` (alerts say "by you"; the load graph
    marks them).

    Signals:
        notice_posted(object): a ``Notice`` for the status bar.
    """

    notice_posted = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        sessions: SessionManager,
        pane: ClusterPane,
        downloads: DownloadsPanel,
        settings: WindowSettings,
        dialog_parent: QWidget,
        journal: ActionJournal | None = None,
    ) -> None:
        super().__init__(dialog_parent)
        self._journal = journal or ActionJournal(None, None)
        self._runner = runner
        self._sessions = sessions
        self._pane = pane
        self._downloads = downloads
        self._settings = settings
        self._parent = dialog_parent
        self.pending = PendingChanges()
        self.pick_folder: FolderPicker = pick_folder
        self.health_dialog: HealthDialog | None = None
        self.version_dialog: VersionDialog | None = None
        self.isolate_dialog: IsolateDialog | None = None
        self.refusal_box: QMessageBox | None = None

    # -- isolation ---------------------------------------------------------------------------
    def isolate(self, servers: Sequence[Server]) -> None:
        """Ask with ``IsolateDialog``, then isolate each server and track it until confirmed."""
        connection = self._sessions.current
        snapshot = connection.session.monitor.snapshot if connection else None
        if connection is None or snapshot is None or not servers:
            return
        self._runner.start(
            self._isolate(connection, snapshot, list(servers)), name="isolate servers"
        )

    def return_to_service(self, servers: Sequence[Server]) -> None:
        """Return each server to service (no confirmation: nothing is interrupted)."""
        connection = self._sessions.current
        if connection is None:
            return
        for server in servers:
            self._change(connection, server, Change.RETURN_TO_SERVICE, None, False)

    async def _isolate(
        self, connection: OpenConnection, snapshot: ClusterSnapshot, servers: list[Server]
    ) -> None:
        health = connection.session.monitor.health
        problems = {
            s.id: problem
            for s in snapshot.servers
            if (problem := health_problem(s, health.get(s.id))) is not None
        }
        dialog = IsolateDialog(
            snapshot.servers,
            [s.id for s in servers],
            self._parent,
            capacity=connection.profile.capacity,
            problems=problems,
        )
        self.isolate_dialog = dialog
        try:
            accepted = await dialog_result(dialog) == QDialog.DialogCode.Accepted
            reason, force, chosen = dialog.reason(), dialog.force(), dialog.impact.isolating
        finally:
            self.isolate_dialog = None
            dialog.deleteLater()
        if accepted:
            for server in chosen:
                self._change(connection, server, Change.ISOLATE, reason, force)

    def _change(
        self,
        connection: OpenConnection,
        server: Server,
        change: Change,
        reason: str | None,
        force: bool,
    ) -> None:
        pending = self.pending.begin(connection.id, server, change)
        if pending is None:
            self._post(
                f"{display_text(server.name)}: a change is already in progress.", error=False
            )
            return
        self._show_pending(pending, change.pending_text)
        self._runner.start(
            self._request(connection, pending, reason, force),
            name=f"{change.value} {server.name}",
            on_error=lambda error: self._on_change_failed(pending, error),
        )

    async def _request(
        self, connection: OpenConnection, pending: PendingChange, reason: str | None, force: bool
    ) -> None:
        actions = connection.session.actions
        isolate = pending.change is Change.ISOLATE
        self._journal.about_to_change(connection.id, pending.server_id, isolate=isolate)
        if isolate:
            await actions.isolate(pending.server_id, reason=reason, force=force)
        else:
            await actions.return_to_service(pending.server_id)
        self._journal.changed(
            connection.id, pending.server_id, pending.server_name, isolate=isolate, reason=reason
        )
        self.pending.accept(connection.id, pending.server_id, time.monotonic())
        latest = connection.session.monitor.snapshot
        if latest is not None:
            self.settle(connection.id, latest)
        connection.session.monitor.retry_now()  # confirm with a fresh snapshot soon

    def _on_change_failed(self, pending: PendingChange, error: BaseException) -> None:
        self.pending.drop(pending.connection_id, pending.server_id)
        self._show_pending(pending, None)
        what = "isolated" if pending.change is Change.ISOLATE else "returned to service"
        if isinstance(error, ConsoleError):
            self._post(f"{pending.server_name} was not {what}: {error.message}", error.detail)
            if _is_refusal(error):
                self._show_refusal(f"{display_text(pending.server_name)} was not {what}.", error)
        else:
            log.error("changing %s failed", pending.server_name, exc_info=error)
            self._post(f"{pending.server_name} was not {what}: unexpected error.", repr(error))

    def settle(self, connection_id: str, snapshot: ClusterSnapshot) -> None:
        """Confirm the changes ``snapshot`` shows done; give up on overdue ones."""
        settled = self.pending.settle(connection_id, snapshot, time.monotonic())
        for pending, server in settled.confirmed:
            self._show_pending(pending, None)
            if pending.change is Change.ISOLATE:
                moving = (
                    f"; {clients_phrase(server.clients)} still connected" if server.clients else ""
                )
                self._post(f"{display_text(server.name)} is isolated{moving}.", error=False)
            else:
                self._post(f"{display_text(server.name)} is back in service.", error=False)
        for pending in settled.expired:
            self._show_pending(pending, None)
            self._post(
                f"{pending.server_name}: the server accepted the change, but the cluster does "
                "not show it yet."
            )

    def show_pending_of(self, connection_id: str) -> None:
        """Re-apply the pending texts of ``connection_id`` (after it became current)."""
        for pending in self.pending.for_connection(connection_id):
            self._pane.set_pending(pending.server_id, pending.change.pending_text)

    def forget_connection(self, connection_id: str) -> None:
        for pending in self.pending.drop_connection(connection_id):
            self._show_pending(pending, None)

    def _show_pending(self, pending: PendingChange, text: str | None) -> None:
        current = self._sessions.current
        if current is not None and current.id == pending.connection_id:
            self._pane.set_pending(pending.server_id, text)

    def _show_refusal(self, headline: str, error: ConsoleError) -> None:
        """Show a refusal whole in a message box (a status-bar line would cut it off).

        Refusals that arrive while the box is open are added to it.
        """
        said = display_text(error.detail, None) if error.detail else ""
        text = error.message + (f"\n\nThe Management Tool said: {said}" if said else "")
        box = self.refusal_box
        if box is not None:
            box.setText(f"{box.text()}\n{headline}")
            box.setInformativeText(f"{box.informativeText()}\n\n{text}")
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Refused", headline, parent=self._parent)
        box.setObjectName("refusalBox")
        box.setInformativeText(text)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(lambda _result: self._on_refusal_box_finished(box))
        self.refusal_box = box
        box.open()

    def _on_refusal_box_finished(self, box: QMessageBox) -> None:
        if self.refusal_box is box:
            self.refusal_box = None
        box.deleteLater()

    # -- version ---------------------------------------------------------------------------
    def check_version(self, servers: Sequence[Server]) -> None:
        """Open ``VersionDialog`` and ask each server for its version live."""
        connection = self._sessions.current
        snapshot = connection.session.monitor.snapshot if connection else None
        if connection is None or snapshot is None or not servers:
            return
        if self.version_dialog is not None:
            self.version_dialog.close()
        dialog = VersionDialog(snapshot.servers, [s.id for s in servers], self._parent)
        self.version_dialog = dialog
        tasks = [
            self._runner.start(
                self._ask_version(connection, dialog, server), name=f"version of {server.name}"
            )
            for server in servers
        ]
        dialog.finished.connect(lambda _result: self._on_version_dialog_finished(dialog, tasks))
        dialog.open()

    async def _ask_version(
        self, connection: OpenConnection, dialog: VersionDialog, server: Server
    ) -> None:
        try:
            info = await connection.session.actions.version(server.id)
        except ConsoleError as error:
            log.info("version of %s: %s | %s", server.name, error.message, error.detail)
            dialog.set_failure(server.id, error.message)
        else:
            dialog.set_answer(server.id, info)

    def _on_version_dialog_finished(
        self, dialog: VersionDialog, tasks: list[asyncio.Task[None] | None]
    ) -> None:
        for task in tasks:
            if task is not None:
                task.cancel()
        if self.version_dialog is dialog:
            self.version_dialog = None
        dialog.deleteLater()

    # -- health ----------------------------------------------------------------------------
    def show_health(self, server: Server) -> None:
        """Open ``HealthDialog`` with the monitor's last result for ``server``."""
        connection = self._sessions.current
        if connection is None:
            return
        if self.health_dialog is not None:
            self.health_dialog.close()
        health = connection.session.monitor.health.get(server.id)
        dialog = HealthDialog(server, health, self._parent)
        self.health_dialog = dialog
        dialog.check_requested.connect(lambda: self._check_health(connection, dialog))
        dialog.finished.connect(lambda _result: self._on_health_dialog_finished(dialog))
        dialog.open()

    def _check_health(self, connection: OpenConnection, dialog: HealthDialog) -> None:
        url = dialog.server.management_url
        if url is None:
            return
        self._runner.start(
            self._probe(connection, dialog, url), name=f"health of {dialog.server.name}"
        )

    async def _probe(self, connection: OpenConnection, dialog: HealthDialog, url: str) -> None:
        server_id = dialog.server.id
        try:
            report = await connection.session.client.health(url)
        except ConsoleError as error:
            health = ServerHealth(server_id, datetime.now(UTC), error=error.message)
        else:
            health = ServerHealth(server_id, datetime.now(UTC), report=report)
        if self.health_dialog is dialog:
            dialog.show_health(health)

    def _on_health_dialog_finished(self, dialog: HealthDialog) -> None:
        if self.health_dialog is dialog:
            self.health_dialog = None
        dialog.deleteLater()

    # -- logs ------------------------------------------------------------------------------
    def download_logs(self, servers: Sequence[Server]) -> None:
        """Ask for a folder (starting at the last one used), then download each server's logs."""
        connection = self._sessions.current
        if connection is None or not servers:
            return
        self._runner.start(self._download(connection, list(servers)), name="download logs")

    async def _download(self, connection: OpenConnection, servers: list[Server]) -> None:
        preferred = Preferences(self._settings.qsettings).download_folder()
        folder = await self.pick_folder(
            self._parent, preferred or self._settings.last_download_folder()
        )
        if folder is None:
            return
        self._settings.set_last_download_folder(folder)
        for server in servers:
            allowed, why_not = can_download_logs(server)
            if allowed:
                self._downloads.start(connection.session, server.id, server.name, folder)
            else:
                self._post(why_not, error=False)

    # -- helpers ---------------------------------------------------------------------------
    def _post(self, message: str, detail: str = "", *, error: bool = True) -> None:
        self.notice_posted.emit(Notice(message, detail, error=error))
