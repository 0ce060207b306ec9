"""DownloadsModel without widgets: Qt's model tester, cell texts, roles and coalescing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.ui.downloads.items import make_item, report
from ui.downloads import DownloadColumn, DownloadItem, DownloadRole, DownloadsModel, DownloadState

Changed = tuple[int, int, int]  # row, first column, last column


def record_changes(model: DownloadsModel) -> list[Changed]:
    changes: list[Changed] = []

    def on_changed(first: QModelIndex, last: QModelIndex, _roles: list[int]) -> None:
        assert first.row() == last.row(), "one row per dataChanged"
        changes.append((first.row(), first.column(), last.column()))

    model.dataChanged.connect(on_changed)
    return changes


def text(model: DownloadsModel, item: DownloadItem, column: DownloadColumn) -> object:
    row = model.row_of(item)
    assert row is not None
    return model.data(model.index(row, column))


def running(model: DownloadsModel, *items: DownloadItem) -> None:
    """Add ``items`` and bring each to RUNNING at 10 % (announced)."""
    for item in items:
        model.add(item)
        model.update_progress(item, report(item, 100))
    model.flush()


def test_the_model_passes_qts_model_tester_through_every_kind_of_update(
    qtmodeltester: ModelTester,
) -> None:
    model = DownloadsModel()
    qtmodeltester.check(model)  # the tester keeps watching every change below
    first, second, third = make_item("as-01"), make_item("as-02"), make_item("as-03")
    running(model, first, second, third)
    model.update_progress(first, report(first, 500))
    model.flush()
    second.mark_failed("The server went offline.", "HTTP 503")
    model.refresh(second)
    first.mark_done(Path("/downloads/EKRAN-AS01_logs.zip"))
    model.refresh(first)
    model.remove(second)
    model.remove(second)  # already gone: nothing happens
    assert [model.item_at(row) for row in range(model.rowCount())] == [first, third]
    qtmodeltester.check(model)


def test_rows_say_what_each_download_is_doing() -> None:
    model = DownloadsModel()
    item = make_item("as-02")
    model.add(item)
    assert text(model, item, DownloadColumn.FILE) == "EKRAN-AS02"
    assert text(model, item, DownloadColumn.STATUS) == "Starting…"
    assert text(model, item, DownloadColumn.PROGRESS) == ""

    model.update_progress(item, report(item, 450, rate=10.0))
    assert text(model, item, DownloadColumn.STATUS) == "Downloading"
    assert text(model, item, DownloadColumn.PROGRESS) == "45 %"
    assert text(model, item, DownloadColumn.SIZE) == "450 bytes of 1.0 KB"
    assert text(model, item, DownloadColumn.RATE) == "10 bytes/s"
    assert text(model, item, DownloadColumn.ETA) == "0:55"
    row = model.row_of(item)
    assert row is not None
    assert model.data(model.index(row, DownloadColumn.PROGRESS), DownloadRole.FRACTION) == 0.45
    assert model.data(model.index(row, DownloadColumn.FILE), DownloadRole.ITEM) is item
    assert model.data(model.index(row, 0), DownloadRole.STATE) is DownloadState.RUNNING

    item.cancel_requested = True
    assert text(model, item, DownloadColumn.STATUS) == "Cancelling…"
    item.mark_cancelled(Path("/downloads/EKRAN-AS02_logs.zip.part"))
    assert text(model, item, DownloadColumn.STATUS) == "Cancelled — can be resumed"
    assert text(model, item, DownloadColumn.RATE) == ""
    assert text(model, item, DownloadColumn.ETA) == ""
    assert text(model, item, DownloadColumn.SIZE) == "450 bytes of 1.0 KB"
    item.connection_open = False
    assert text(model, item, DownloadColumn.STATUS) == "Cancelled — the connection is closed"

    item.mark_failed("The disk is full.", "OSError: errno 28")
    assert text(model, item, DownloadColumn.STATUS) == "Failed: The disk is full."
    tooltip = model.data(model.index(row, DownloadColumn.STATUS), Qt.ItemDataRole.ToolTipRole)
    assert "The disk is full." in tooltip
    assert "OSError: errno 28" in tooltip

    item.mark_done(Path("/downloads/EKRAN-AS02_logs (1).zip"))
    assert text(model, item, DownloadColumn.FILE) == "EKRAN-AS02_logs (1).zip"
    assert text(model, item, DownloadColumn.STATUS) == "Saved"
    assert text(model, item, DownloadColumn.PROGRESS) == "100 %"
    assert text(model, item, DownloadColumn.SIZE) == "1.0 KB"


def test_every_state_has_a_status_icon_besides_its_text() -> None:
    model = DownloadsModel()
    item = make_item()
    model.add(item)
    index = model.index(0, DownloadColumn.STATUS)
    for state in DownloadState:
        item.state = state
        decoration = model.data(index, Qt.ItemDataRole.DecorationRole)
        assert not decoration.isNull(), state
        assert model.data(index), state


def test_progress_reaches_views_once_per_flush_and_only_for_changed_columns() -> None:
    model = DownloadsModel()
    moving, idle = make_item("as-01"), make_item("as-02")
    running(model, moving, idle)
    changes = record_changes(model)

    for done in (200, 300, 400):
        model.update_progress(moving, report(moving, done))
    model.update_progress(idle, report(idle, 100))  # the same report again
    assert changes == [], "progress is coalesced until the next flush"
    model.flush()
    # Progress, size and time left changed; the rate did not; file, connection and status
    # did not, so the span stays within PROGRESS..ETA and the idle row is not announced.
    assert changes == [(0, DownloadColumn.PROGRESS, DownloadColumn.ETA)]
    model.flush()
    assert changes == [(0, DownloadColumn.PROGRESS, DownloadColumn.ETA)], "nothing left"


def test_a_report_that_changes_no_text_is_not_announced() -> None:
    model = DownloadsModel()
    item = make_item()
    model.add(item)
    size = 10 * 1024**3
    model.update_progress(item, report(item, size // 2, size, rate=0.0, eta=None))
    model.flush()
    changes = record_changes(model)
    model.update_progress(item, report(item, size // 2 + 1, size, rate=0.0, eta=None))
    model.flush()
    assert item.progress is not None
    assert item.progress.bytes_done == size // 2 + 1, "the item has the newest report"
    assert changes == [], "5.0 GB of 10.0 GB, 50 %: views already show that"


def test_state_changes_are_announced_at_once() -> None:
    model = DownloadsModel()
    item = make_item()
    running(model, item)
    changes = record_changes(model)
    item.mark_failed("The connection was lost.", "")
    model.refresh(item)
    # Rate and time left go blank, the status changes and every cell's tooltip says why.
    assert changes == [(0, DownloadColumn.FILE, DownloadColumn.STATUS)]
    tooltips = [model.data(model.index(0, c), Qt.ItemDataRole.ToolTipRole) for c in DownloadColumn]
    assert all("Failed: The connection was lost." in str(tip) for tip in tooltips)


def test_coalesced_progress_is_announced_by_the_timer(qtbot: QtBot) -> None:
    model = DownloadsModel(coalesce_ms=20)
    item = make_item()
    model.add(item)
    changes = record_changes(model)
    model.update_progress(item, report(item, 500))
    assert changes == []
    qtbot.waitUntil(lambda: bool(changes), timeout=10_000)
    assert changes == [(0, DownloadColumn.PROGRESS, DownloadColumn.STATUS)]


def test_adding_twice_and_removing_unknown_items_change_nothing() -> None:
    model = DownloadsModel()
    item = make_item()
    model.add(item)
    model.add(item)
    model.remove(make_item("as-09"))
    assert model.rowCount() == 1
    assert model.row_of(item) == 0


def test_headers_name_every_column() -> None:
    model = DownloadsModel()
    headers = [model.headerData(column, Qt.Orientation.Horizontal) for column in DownloadColumn]
    assert headers == ["File", "Connection", "Progress", "Size", "Rate", "Time left", "Status"]
