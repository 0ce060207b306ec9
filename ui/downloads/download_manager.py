"""DownloadManager: starts, cancels and resumes logs downloads and keeps their rows current.

Every download runs as a task of the window's ``TaskRunner``; several run at once. The
end of each run (saved, failed, cancelled) shows in its row at once, is then written to
the audit trail of its connection, and only then announced by a signal.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.api.errors import ConsoleError
from app.audit import AuditAction, AuditResult
from app.downloads import DownloadCancelledError, DownloadProgress
from app.logsetup import redact
from ui.downloads.download_item import DownloadItem, DownloadState
from ui.downloads.downloads_model import DownloadsModel
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.downloads import LogDownload
    from app.session import ConnectionSession

log = logging.getLogger(__name__)

CLOSING_MESSAGE = "Not started: the console is closing."
UNEXPECTED_MESSAGE = "The download stopped because of an unexpected error."


class DownloadManager(QObject):
    """Runs the downloads listed in a ``DownloadsModel``.

    Sessions are remembered per connection id (from ``start`` and ``attach_session``)
    until ``detach_session``, so that a cancelled or failed download can be resumed
    while its connection is open.

    Signals (each with the DownloadItem):
        download_progressed: a progress report arrived (at most every ~250 ms per run).
        download_finished: the archive was saved (``saved_path``).
        download_failed: the run failed (``error``, ``detail``).
        download_cancelled: the run was cancelled; its partial file is kept.
    """

    download_progressed = Signal(object)
    download_finished = Signal(object)
    download_failed = Signal(object)
    download_cancelled = Signal(object)

    def __init__(
        self, runner: TaskRunner, model: DownloadsModel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._model = model
        self._sessions: dict[str, ConnectionSession] = {}
        self._closing = False

    # -- starting and stopping ---------------------------------------------------------
    def start(
        self, session: ConnectionSession, server_id: str, server_name: str, folder: Path
    ) -> DownloadItem:
        """List and start a download of ``server_id``'s logs into ``folder``.

        An unfinished download of the same server in ``folder`` is continued.
        """
        profile = session.profile
        item = DownloadItem(
            server_id=server_id,
            server_name=server_name,
            connection_id=profile.id,
            connection_name=profile.name,
            folder=folder,
        )
        if not self._closing:
            self._sessions[profile.id] = session
        self._model.add(item)
        self._launch(item, session)
        return item

    def resume(self, item: DownloadItem) -> bool:
        """Run a cancelled or failed download again, continuing its partial file.

        Returns False, changing nothing, unless the item is cancelled or failed; returns
        False and marks the row when its connection is no longer open.
        """
        if not item.state.resumable:
            return False
        session = self._sessions.get(item.connection_id)
        if session is None:
            item.connection_open = False
            self._model.refresh(item)
            return False
        self._launch(item, session)
        return True

    def cancel(self, item: DownloadItem) -> None:
        """Ask a queued or running download to stop; its partial file is kept."""
        if not item.state.active or item.cancel_requested:
            return
        item.cancel_requested = True
        if item.download is not None:
            item.download.cancel()
        self._model.refresh(item)

    def active_count(self) -> int:
        """How many downloads are queued or running."""
        return sum(1 for item in self._model.items() if item.state.active)

    # -- sessions ----------------------------------------------------------------------
    def attach_session(self, session: ConnectionSession) -> None:
        """Use ``session`` (an open connection) to resume its connection's downloads."""
        if self._closing:
            return
        self._sessions[session.profile.id] = session
        self._set_connection_open(session.profile.id, True)

    async def detach_session(self, session: ConnectionSession) -> None:
        """Before ``session`` closes: cancel its downloads (keeping their partial files),
        wait for them to stop and stop using it; its rows say the connection is closed."""
        connection_id = session.profile.id
        if self._sessions.get(connection_id) is session:
            del self._sessions[connection_id]
        self._set_connection_open(connection_id, False)
        mine = [item for item in self._model.items() if item.connection_id == connection_id]
        await self._stop(mine)

    async def shutdown(self) -> None:
        """Refuse new downloads, cancel the running ones (keeping their partial files)
        and wait until every download task has ended."""
        self._closing = True
        self._sessions.clear()
        await self._stop(list(self._model.items()))

    async def _stop(self, items: list[DownloadItem]) -> None:
        running = [item for item in items if item.state.active]
        for item in running:
            self.cancel(item)
        tasks = [item.task for item in running if item.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _set_connection_open(self, connection_id: str, is_open: bool) -> None:
        for item in self._model.items():
            if item.connection_id == connection_id and item.connection_open != is_open:
                item.connection_open = is_open
                self._model.refresh(item)

    # -- one run -----------------------------------------------------------------------
    def _launch(self, item: DownloadItem, session: ConnectionSession) -> None:
        download = session.download_logs(
            item.server_id,
            item.folder,
            fallback_name=item.fallback_name,
            on_progress=lambda progress: self._on_download_progress(item, progress),
        )
        item.begin(download)
        task = None
        if not self._closing:
            task = self._runner.start(
                self._run(item, download, session), name=f"download logs of {item.server_id}"
            )
        if task is None:
            item.mark_failed(CLOSING_MESSAGE, "")
            self._model.refresh(item)
            self.download_failed.emit(item)
            return
        item.task = task
        task.add_done_callback(lambda _task: self._on_task_ended(item, _task))
        self._model.refresh(item)

    async def _run(
        self, item: DownloadItem, download: LogDownload, session: ConnectionSession
    ) -> None:
        if item.cancel_requested:  # cancelled before this task began
            await self._end_cancelled(item, session, item.part_path)
            return
        try:
            path = await download.run()
        except DownloadCancelledError as exc:
            await self._end_cancelled(item, session, exc.path or download.part_path)
        except asyncio.CancelledError:
            await self._end_cancelled(item, session, download.part_path)
            raise
        except ConsoleError as exc:
            await self._end_failed(item, session, exc.message, exc.detail)
        except Exception as exc:  # anything else still ends the row, and is logged in full
            log.exception("The logs download of %s stopped unexpectedly", item.server_id)
            detail = redact(f"{type(exc).__name__}: {exc}")
            await self._end_failed(item, session, UNEXPECTED_MESSAGE, detail)
        else:
            item.mark_done(path)
            self._model.refresh(item)
            await self._audit(session, item, AuditResult.OK, str(path))
            self.download_finished.emit(item)

    async def _end_cancelled(
        self, item: DownloadItem, session: ConnectionSession, part: Path | None
    ) -> None:
        item.mark_cancelled(part)
        self._model.refresh(item)
        detail = f"partial file kept: {part}" if part is not None else ""
        await self._audit(session, item, AuditResult.CANCELLED, detail)
        self.download_cancelled.emit(item)

    async def _end_failed(
        self, item: DownloadItem, session: ConnectionSession, message: str, detail: str
    ) -> None:
        item.mark_failed(message, detail)
        self._model.refresh(item)
        await self._audit(session, item, AuditResult.FAILED, message)
        self.download_failed.emit(item)

    async def _audit(
        self, session: ConnectionSession, item: DownloadItem, result: AuditResult, detail: str
    ) -> None:
        """Write the audit record of a run's end; a closed session cannot, which is logged."""
        try:
            await session.actions.record(AuditAction.LOGS, item.server_id, result, detail)
        except RuntimeError:  # its audit writer stopped with the session
            log.warning(
                "The audit record of the logs download of %s was not written: the "
                "connection %r is closed",
                item.server_id,
                item.connection_name,
            )

    def _on_download_progress(self, item: DownloadItem, progress: DownloadProgress) -> None:
        self._model.update_progress(item, progress)
        self.download_progressed.emit(item)

    def _on_task_ended(self, item: DownloadItem, task: asyncio.Task[None]) -> None:
        """Ends a row its task left running: a task cancelled before it began, or one
        whose ending failed (the runner reports that error)."""
        if item.task is not task or not item.state.active:
            return
        if task.cancelled():
            item.mark_cancelled(item.part_path)
            self._model.refresh(item)
            self.download_cancelled.emit(item)
        else:
            item.mark_failed(UNEXPECTED_MESSAGE, "")
            self._model.refresh(item)
            self.download_failed.emit(item)

    # -- the list ----------------------------------------------------------------------
    def remove(self, item: DownloadItem) -> bool:
        """Take a finished, failed or cancelled download off the list (files stay)."""
        if item.state.active:
            return False
        self._model.remove(item)
        return True

    def clear_finished(self) -> int:
        """Take the saved downloads off the list; returns how many."""
        done = [item for item in self._model.items() if item.state is DownloadState.DONE]
        for item in done:
            self._model.remove(item)
        return len(done)
