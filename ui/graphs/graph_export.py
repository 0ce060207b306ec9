"""Saving the load graph: a PNG picture or a CSV table, to a file the user picks."""

from __future__ import annotations

import asyncio
import csv
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QObject, QStandardPaths, Signal
from PySide6.QtGui import QImage, QImageWriter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.history import HistoryStore
from ui.connections.dialog_result import dialog_result
from ui.dialogs.error_details import Notice
from ui.graphs.graph_lines import TOTAL_NAME
from ui.graphs.series_tools import GraphTable, graph_table
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

PNG_FILTER = "PNG image (*.png)"
CSV_FILTER = "CSV table (*.csv)"

EXPORT_POINTS = 1_000_000
"""Enough for every point the history holds for any range."""

SavePicker = Callable[[QWidget, str, str, Path], Awaitable[Path | None]]
"""(parent, title, name filter, suggested path) -> the chosen path, or None if cancelled."""


class GraphExportError(Exception):
    """An export could not be written; ``str()`` is one line for people."""


def suggested_path(connection_name: str, extension: str, now: datetime) -> Path:
    """ "<Documents>/Production load 2026-11-25 1350.png" (a name safe on Windows)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in connection_name).strip()
    stem = f"{safe or 'Cluster'} load {now:%Y-%m-%d %H%M}"
    return Path(folder or Path.home()) / f"{stem}.{extension}"


async def pick_save_path(
    parent: QWidget, title: str, name_filter: str, suggested: Path
) -> Path | None:
    """Ask where to save with a window-modal file dialog (no nested event loop)."""
    dialog = QFileDialog(parent, title, str(suggested))
    dialog.setObjectName("graphExportDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(name_filter)
    dialog.setDefaultSuffix(suggested.suffix.lstrip("."))
    try:
        if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
            return None
        chosen = dialog.selectedFiles()
        return Path(chosen[0]) if chosen else None
    finally:
        dialog.deleteLater()


def write_csv(path: Path, table: GraphTable) -> None:
    """Write ``table`` as CSV: a Time column (local ISO 8601 with the UTC offset), then one
    column per line, empty where a line has no point. UTF-8 with a byte order mark, so
    that Excel reads names correctly. Blocks: call it off the event loop.

    Raises ``GraphExportError`` when the file cannot be written.
    """
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Time", *table.names])
            for moment, row in zip(table.times.tolist(), table.values, strict=True):
                stamp = datetime.fromtimestamp(moment).astimezone()
                cells = ["" if np.isnan(value) else f"{value:.0f}" for value in row.tolist()]
                writer.writerow([stamp.isoformat(timespec="seconds"), *cells])
    except OSError as error:
        raise GraphExportError(f"Could not write {path}: {error.strerror or error}.") from error


def save_image(image: QImage, path: Path) -> None:
    """Save ``image`` as PNG. Blocks: call it off the event loop.

    Raises ``GraphExportError`` when the file cannot be written.
    """
    if image.isNull():
        raise GraphExportError("There is no picture to save: the graph is not shown.")
    writer = QImageWriter(str(path), QByteArray(b"PNG"))
    if not writer.write(image):
        raise GraphExportError(f"Could not write {path}: {writer.errorString()}.")


def history_table(store: HistoryStore, connection_id: str, start: float, end: float) -> GraphTable:
    """Every point ``store`` holds for the connection from ``start`` to ``end``: one
    column per server (by name; the id is added when names repeat), then the total."""
    servers = store.servers(connection_id)
    names = list(servers.values())
    repeated = {name for name in names if names.count(name) > 1}
    columns = [
        (
            f"{name} ({server_id})" if name in repeated else name,
            store.series(connection_id, server_id, start, end, EXPORT_POINTS),
        )
        for server_id, name in servers.items()
    ]
    columns.append((TOTAL_NAME, store.total_series(connection_id, start, end, EXPORT_POINTS)))
    return graph_table(columns)


class GraphExporter(QObject):
    """Runs the two exports of a graph as tasks: ask for a file with ``pick_path``
    (replaceable, e.g. in tests), take the picture or the table on the event loop, and
    write the file off it.

    ``render`` gives the picture, ``table`` the values, ``name`` the connection's name
    for the suggested file name.

    Signals:
        notice_posted(object): a ``Notice`` saying where the file went, or why it did not.
    """

    notice_posted = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        dialog_parent: QWidget,
        *,
        render: Callable[[], QImage],
        table: Callable[[], GraphTable],
        name: Callable[[], str],
    ) -> None:
        super().__init__(dialog_parent)
        self._runner = runner
        self._parent = dialog_parent
        self._render = render
        self._table = table
        self._name = name
        self.pick_path: SavePicker = pick_save_path

    def export_png(self) -> None:
        """Ask for a file, then save the graph as shown as a PNG picture."""
        self._runner.start(self._png(), name="export the load graph", on_error=self._on_failed)

    def export_csv(self) -> None:
        """Ask for a file, then save the values in view as a CSV table."""
        self._runner.start(self._csv(), name="export the load values", on_error=self._on_failed)

    async def _png(self) -> None:
        suggested = suggested_path(self._name(), "png", datetime.now())
        path = await self.pick_path(self._parent, "Export load graph", PNG_FILTER, suggested)
        if path is None:
            return
        image = self._render()
        await asyncio.to_thread(save_image, image, path)
        self.notice_posted.emit(Notice(f"Load graph saved to {path}.", error=False))

    async def _csv(self) -> None:
        suggested = suggested_path(self._name(), "csv", datetime.now())
        path = await self.pick_path(self._parent, "Export load values", CSV_FILTER, suggested)
        if path is None:
            return
        table = self._table()
        await asyncio.to_thread(write_csv, path, table)
        self.notice_posted.emit(
            Notice(f"Load values saved to {path} ({len(table.times)} rows).", error=False)
        )

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, GraphExportError):
            self.notice_posted.emit(Notice(str(error)))
        else:
            log.error("export failed", exc_info=error)
            self.notice_posted.emit(Notice("The export failed: unexpected error.", repr(error)))
