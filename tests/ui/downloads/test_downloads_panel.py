"""The Downloads panel against the real simulator: save, fail and retry, cancel and resume,
parallel downloads, closed connections and shutdown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton, QTableView, QToolBar

from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import next_emission, wait_until
from tests.ui.downloads.conftest import LOG_SIZE
from tests.ui.downloads.workspace import (
    CONNECTION_NAME,
    Workspace,
    assert_valid_zip,
    file_size,
    names,
    open_session,
    part_files,
    sha256,
    workspace,
)
from ui.downloads import DownloadColumn, DownloadItem, DownloadState
from ui.downloads.download_manager import CLOSING_MESSAGE
from ui.downloads.formatting import format_size, format_size_progress

SERVER, SERVER_NAME = "as-02", "EKRAN-AS02"
SAVED_NAME = "EKRAN-AS02_logs.zip"
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def action(ws: Workspace, name: str) -> QAction:
    found = ws.panel.findChild(QAction, name)
    assert found is not None, name
    return found


async def download(ws: Workspace, folder: Path) -> DownloadItem:
    """Start a download of SERVER into ``folder`` and wait until it is saved."""
    finished = asyncio.ensure_future(next_emission(ws.panel.download_finished))
    item = ws.panel.start(ws.session, SERVER, SERVER_NAME, folder)
    (done,) = await finished
    assert done is item
    return item


async def cancel_at_first_progress(ws: Workspace, folder: Path) -> DownloadItem:
    """Start a download and cancel it from its first progress report (bytes are on disk)."""
    seen: list[int] = []

    def cancel_once(item: object) -> None:
        assert isinstance(item, DownloadItem)
        if not seen and item.progress is not None:
            seen.append(item.progress.bytes_done)
            ws.panel.cancel(item)

    ws.panel.download_progressed.connect(cancel_once)
    cancelled = asyncio.ensure_future(next_emission(ws.panel.download_cancelled))
    item = ws.panel.start(ws.session, SERVER, SERVER_NAME, folder)
    await cancelled
    ws.panel.download_progressed.disconnect(cancel_once)
    assert seen, "cancelled from a progress report"
    return item


class UrlRecorder(QObject):
    """Receives the URLs QDesktopServices would open (a Qt URL handler)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.urls.append(url)


async def test_a_download_is_saved_listed_and_audited(
    sim: SimulatorProcess, folder: Path, tmp_path: Path
) -> None:
    async with workspace(sim, tmp_path) as ws:
        assert ws.panel.objectName() == "downloadsPanel"
        assert ws.panel.accessibleName() == ws.panel.windowTitle() == "Downloads"
        item = await download(ws, folder)
        assert ws.panel.isVisible(), "starting a download shows the panel"
        assert item.saved_path == folder / SAVED_NAME
        assert names(folder) == [SAVED_NAME], "no partial file is left"
        assert_valid_zip(item.saved_path)
        assert ws.text(item, DownloadColumn.FILE) == SAVED_NAME
        assert ws.text(item, DownloadColumn.CONNECTION) == CONNECTION_NAME
        assert ws.text(item, DownloadColumn.PROGRESS) == "100 %"
        assert ws.text(item, DownloadColumn.SIZE) == format_size(file_size(item.saved_path))
        assert ws.text(item, DownloadColumn.STATUS) == "Saved"
        assert ws.panel.active_count() == 0
        assert ws.audit_trail() == [(CONNECTION_NAME, SERVER, "logs", "ok")]

        ws.select(item)
        recorder = UrlRecorder()
        QDesktopServices.setUrlHandler("file", recorder, "open_url")
        try:
            action(ws, "actionOpenDownloadFolder").trigger()
        finally:
            QDesktopServices.unsetUrlHandler("file")
        assert [Path(url.toLocalFile()) for url in recorder.urls] == [folder]

        assert not action(ws, "actionCancelDownload").isEnabled()
        assert not action(ws, "actionResumeDownload").isEnabled()
        menu = ws.panel.findChild(QMenu, "downloadsContextMenu")
        assert menu is not None
        assert [a.objectName() for a in menu.actions() if not a.isSeparator()] == [
            "actionCancelDownload",
            "actionResumeDownload",
            "actionOpenDownloadFolder",
            "actionShowDownloadDetails",
            "actionClearDownload",
            "actionClearFinishedDownloads",
        ]
        clear = action(ws, "actionClearFinishedDownloads")
        assert clear.isEnabled()
        clear.trigger()
        assert ws.panel.model.rowCount() == 0
        assert names(folder) == [SAVED_NAME], "clearing the list keeps the file"


async def test_a_cut_download_fails_in_its_row_and_retry_completes_it(
    sim: SimulatorProcess, folder: Path, tmp_path: Path
) -> None:
    fresh_folder, cut_folder = folder / "fresh", folder / "cut"
    fresh_folder.mkdir()
    cut_folder.mkdir()
    async with workspace(sim, tmp_path) as ws:
        fresh = await download(ws, fresh_folder)
        await asyncio.to_thread(sim.add_fault, kind="cut_download", after_bytes=600_000)
        failed = asyncio.ensure_future(next_emission(ws.panel.download_failed))
        item = ws.panel.start(ws.session, SERVER, SERVER_NAME, cut_folder)
        await failed
        assert item.state is DownloadState.FAILED
        assert item.error
        assert "\n" not in item.error, "the message is one line"
        assert ws.text(item, DownloadColumn.STATUS) == f"Failed: {item.error}"
        tooltip = ws.panel.model.data(ws.index(item, DownloadColumn.STATUS), TOOLTIP)
        assert str(tooltip).startswith(f"Failed: {item.error}")
        (part,) = part_files(cut_folder)  # the partial file is kept
        # The row counts what the partial file holds, not the last throttled report.
        kept = file_size(part)
        assert kept >= 600_000
        assert item.progress is not None
        assert item.progress.bytes_done == kept
        assert ws.text(item, DownloadColumn.SIZE) == format_size_progress(kept, LOG_SIZE)
        # The whole reason wherever the pointer rests on the row, and Status shown second.
        for column in DownloadColumn:
            whole = str(ws.panel.model.data(ws.index(item, column), TOOLTIP))
            assert item.error in whole, column
        view = ws.panel.findChild(QTableView, "downloadsTable")
        assert view is not None
        assert view.horizontalHeader().visualIndex(DownloadColumn.STATUS) == 1

        ws.select(item)
        resume = action(ws, "actionResumeDownload")
        assert resume.isEnabled()
        assert resume.text() == "&Retry"
        details = action(ws, "actionShowDownloadDetails")
        assert details.isEnabled()
        details.trigger()  # opens without a nested event loop: the test goes on at once
        box = ws.panel.findChild(QMessageBox, "downloadDetailsDialog")
        assert box is not None
        assert box.isVisible()
        assert item.error in box.informativeText()
        box.close()
        await wait_until(lambda: ws.panel.findChild(QMessageBox, "downloadDetailsDialog") is None)
        # A double click on the failed row shows the same (a saved row opens its folder).
        view.doubleClicked.emit(ws.index(item, DownloadColumn.FILE))
        box = ws.panel.findChild(QMessageBox, "downloadDetailsDialog")
        assert box is not None
        assert item.error in box.informativeText()
        box.close()
        toolbar = ws.panel.findChild(QToolBar, "downloadsToolBar")
        assert toolbar is not None
        assert details in toolbar.actions()

        progress: list[int] = []
        ws.panel.download_progressed.connect(
            lambda changed: progress.append(changed.progress.bytes_done)
        )
        finished = asyncio.ensure_future(next_emission(ws.panel.download_finished))
        resume.trigger()
        await finished
        assert progress
        assert min(progress) > kept, "the retry counts on from the partial file"
        assert item.state is DownloadState.DONE
        assert item.progress is not None
        assert item.progress.resumed_from > 0, "the retry continued the partial file"
        assert item.saved_path is not None
        assert fresh.saved_path is not None
        assert sha256(item.saved_path) == sha256(fresh.saved_path)
        assert names(cut_folder) == [SAVED_NAME]
        results = [result for *_, result in ws.audit_trail()]
        assert results == ["ok", "failed", "ok"]


async def test_cancel_keeps_the_partial_file_and_resume_finishes(
    sim: SimulatorProcess, folder: Path, tmp_path: Path
) -> None:
    async with workspace(sim, tmp_path) as ws:
        item = await cancel_at_first_progress(ws, folder)
        assert item.state is DownloadState.CANCELLED
        assert ws.text(item, DownloadColumn.STATUS) == "Cancelled — can be resumed"
        assert item.part_path is not None
        assert item.progress is not None
        assert file_size(item.part_path) >= item.progress.bytes_done > 0
        assert ws.audit_trail()[-1][-1] == "cancelled"

        ws.select(item)
        resume = action(ws, "actionResumeDownload")
        assert resume.isEnabled()
        assert resume.text() == "&Resume"
        assert action(ws, "actionClearDownload").isEnabled()
        finished = asyncio.ensure_future(next_emission(ws.panel.download_finished))
        resume.trigger()
        await finished
        assert item.progress.resumed_from > 0
        assert item.saved_path is not None
        assert_valid_zip(item.saved_path)
        assert names(folder) == [SAVED_NAME]
        assert [result for *_, result in ws.audit_trail()] == ["cancelled", "ok"]


async def test_two_downloads_run_at_once(
    sim: SimulatorProcess, folder: Path, tmp_path: Path
) -> None:
    async with workspace(sim, tmp_path) as ws:
        finished: list[object] = []
        ws.panel.download_finished.connect(finished.append)
        first = ws.panel.start(ws.session, "as-01", "EKRAN-AS01", folder)
        second = ws.panel.start(ws.session, SERVER, SERVER_NAME, folder)
        assert ws.panel.active_count() == 2
        await wait_until(lambda: len(finished) == 2)
        assert {id(item) for item in finished} == {id(first), id(second)}
        assert ws.panel.active_count() == 0
        assert (first.state, second.state) == (DownloadState.DONE, DownloadState.DONE)
        assert names(folder) == ["EKRAN-AS01_logs.zip", SAVED_NAME]
        for item in (first, second):
            assert item.saved_path is not None
            assert_valid_zip(item.saved_path)
        assert sorted(server for _, server, *_ in ws.audit_trail()) == ["as-01", SERVER]


async def test_a_closed_connection_blocks_resume_until_it_is_open_again(
    sim: SimulatorProcess, folder: Path, tmp_path: Path
) -> None:
    async with workspace(sim, tmp_path) as ws:
        item = await cancel_at_first_progress(ws, folder)
        await ws.panel.detach_session(ws.session)
        await ws.session.aclose()
        assert ws.text(item, DownloadColumn.STATUS) == "Cancelled — the connection is closed"
        ws.select(item)
        resume = action(ws, "actionResumeDownload")
        assert not resume.isEnabled()
        assert CONNECTION_NAME in resume.toolTip()
        assert ws.panel.resume(item) is False
        assert item.state is DownloadState.CANCELLED

        reopened = open_session(sim, ws.audit, profile_id=ws.session.profile.id)
        try:
            ws.panel.attach_session(reopened)
            assert ws.text(item, DownloadColumn.STATUS) == "Cancelled — can be resumed"
            finished = asyncio.ensure_future(next_emission(ws.panel.download_finished))
            assert ws.panel.resume(item) is True
            await finished
            assert item.saved_path is not None
            assert_valid_zip(item.saved_path)
        finally:
            await ws.panel.detach_session(reopened)
            await reopened.aclose()


async def test_shutdown_cancels_running_downloads_and_keeps_their_files(
    sim: SimulatorProcess, folder: Path, tmp_path: Path
) -> None:
    async with workspace(sim, tmp_path) as ws:
        await asyncio.to_thread(sim.add_fault, kind="cut_download", after_bytes=600_000)
        failed = asyncio.ensure_future(next_emission(ws.panel.download_failed))
        item = ws.panel.start(ws.session, SERVER, SERVER_NAME, folder)
        await failed
        (part,) = part_files(folder)
        kept = file_size(part)
        # The next logs request waits at the server, so the retry is surely still running.
        await asyncio.to_thread(sim.add_fault, kind="latency", seconds=60, path="/logs", count=1)
        assert ws.panel.resume(item)
        await wait_for_faults_used(sim)
        assert ws.panel.active_count() == 1

        await ws.panel.shutdown()
        assert ws.panel.active_count() == 0
        assert item.task is not None
        assert item.task.done()
        assert ws.runner.pending == 0
        assert item.state is DownloadState.CANCELLED
        assert ws.text(item, DownloadColumn.STATUS) == "Cancelled — can be resumed"
        assert file_size(part) == kept, "the partial file is kept as it was"
        assert ws.audit_trail()[-1][-1] == "cancelled"

        late = ws.panel.start(ws.session, "as-01", "EKRAN-AS01", folder)
        assert late.state is DownloadState.FAILED
        assert late.error == CLOSING_MESSAGE


async def wait_for_faults_used(sim: SimulatorProcess, within: float = 20.0) -> None:
    """Wait until every injected fault has been used up by a request reaching the server."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while await asyncio.to_thread(sim.control, "GET", "faults"):
        if loop.time() > deadline:
            raise AssertionError("the fault was not used in time")
        await asyncio.sleep(0.05)


async def test_open_folder_says_when_no_program_can_show_the_folder(
    sim: SimulatorProcess, folder: Path, tmp_path: Path
) -> None:
    async with workspace(sim, tmp_path) as ws:
        item = await download(ws, folder)
        ws.select(item)
        asked: list[QUrl] = []

        def no_file_manager(url: QUrl) -> bool:  # what QDesktopServices answers then
            asked.append(url)
            return False

        ws.panel.open_url = no_file_manager
        action(ws, "actionOpenDownloadFolder").trigger()
        assert [Path(url.toLocalFile()) for url in asked] == [folder]
        box = ws.panel.folder_box
        assert box is not None
        assert box.isVisible()
        assert "could not be opened" in box.text()
        assert box.informativeText() == f"The logs are in:\n{folder}"
        copy = box.findChild(QPushButton, "copyFolderPath")
        assert copy is not None
        copy.click()
        assert QGuiApplication.clipboard().text() == str(folder)
        await wait_until(lambda: ws.panel.folder_box is None)

        ws.panel.open_url = lambda url: asked.append(url) or True
        action(ws, "actionOpenDownloadFolder").trigger()
        assert len(asked) == 2
        assert ws.panel.folder_box is None  # opened: nothing to say
