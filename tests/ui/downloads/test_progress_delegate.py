"""ProgressDelegate draws a bar filled to the row's fraction."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from tests.ui.downloads.items import make_item, report
from ui.downloads import DownloadColumn, DownloadsModel
from ui.downloads.progress_delegate import ProgressDelegate


def cell_colours(qtbot: QtBot, fraction: float, at: tuple[float, ...]) -> list[QColor]:
    """The colours across the middle of a painted Progress cell at ``at`` (0–1 of its width)."""
    model = DownloadsModel()
    item = make_item()
    model.add(item)
    model.update_progress(item, report(item, round(fraction * 1000)))
    model.flush()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(DownloadColumn.PROGRESS, ProgressDelegate(view))
    view.setColumnWidth(DownloadColumn.PROGRESS, 30 * view.fontMetrics().averageCharWidth())
    header = view.horizontalHeader()
    view.resize(header.length() + header.height(), 8 * header.height())
    rect = view.visualRect(model.index(0, DownloadColumn.PROGRESS))
    image = view.viewport().grab().toImage()
    middle = rect.center().y()
    return [image.pixelColor(rect.left() + round(rect.width() * x), middle) for x in at]


def test_the_bar_is_filled_up_to_the_fraction(qtbot: QtBot) -> None:
    # The text sits in the middle of the cell, so look at 15 % and 80 % of its width.
    low_start, low_end = cell_colours(qtbot, 0.2, (0.15, 0.8))
    high_start, high_end = cell_colours(qtbot, 0.9, (0.15, 0.8))
    assert low_start == high_start, "both bars are filled at 15 %"
    assert low_end != low_start, "a 20 % bar is empty at 80 %"
    assert high_end == high_start, "a 90 % bar is filled at 80 %"
