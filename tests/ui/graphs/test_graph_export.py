"""Exporting the load graph: a PNG picture and a CSV table, through a replaceable picker."""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from app.history import HistoryStore
from tests.ui.conftest import wait_until
from tests.ui.graphs.history_data import CONNECTION, START, feed
from ui.dialogs.error_details import Notice
from ui.graphs.graph_export import CSV_FILTER, PNG_FILTER, suggested_path
from ui.graphs.load_graph_panel import LoadGraphPanel
from ui.tasks import TaskRunner


class Picker:
    """Answers the file dialog with ``answer`` and records what it was asked."""

    def __init__(self, answer: Path | None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str, Path]] = []

    async def __call__(
        self, parent: QWidget, title: str, name_filter: str, suggested: Path
    ) -> Path | None:
        self.asked.append((title, name_filter, suggested))
        return self.answer


def notices_of(panel: LoadGraphPanel) -> list[Notice]:
    notices: list[Notice] = []
    panel.notice_posted.connect(notices.append)
    return notices


async def test_png_export_writes_a_picture_of_the_graph(
    panel: LoadGraphPanel, store: HistoryStore, tmp_path: Path
) -> None:
    feed(store, [START + i for i in range(120)], servers=3)
    panel.set_connection(CONNECTION, store, name="Production")
    target = tmp_path / "graph.png"
    picker = Picker(target)
    panel.exporter.pick_path = picker
    notices = notices_of(panel)
    panel.controls.export_png_button.click()
    await wait_until(lambda: bool(notices))
    assert notices[0] == Notice(f"Load graph saved to {target}.", error=False, when=notices[0].when)
    assert picker.asked[0][1] == PNG_FILTER
    assert picker.asked[0][2].name.startswith("Production load ")
    image = QImage(str(target))
    assert not image.isNull()
    assert image.width() > 0
    assert image.height() > 0


async def test_csv_export_has_time_one_column_per_server_and_the_total(
    panel: LoadGraphPanel, store: HistoryStore, tmp_path: Path
) -> None:
    times = [START + i for i in range(300)]
    feed(store, times, servers=2)
    panel.set_connection(CONNECTION, store)
    target = tmp_path / "load.csv"
    panel.exporter.pick_path = Picker(target)
    notices = notices_of(panel)
    panel.controls.export_csv_button.click()
    await wait_until(lambda: bool(notices))
    assert notices[0].message == f"Load values saved to {target} (300 rows)."
    assert picker_filter(panel) == CSV_FILTER
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Time", "EKRAN-AS01", "EKRAN-AS02", "Cluster total"]
    assert len(rows) == 301
    first = rows[1]
    assert datetime.fromisoformat(first[0]).timestamp() == START
    assert first[1:] == ["10", "20", "30"]
    assert rows[-1][1:] == [str(10 + 299), str(20 + 299), str(30 + 2 * 299)]


def picker_filter(panel: LoadGraphPanel) -> str:
    picker = panel.exporter.pick_path
    assert isinstance(picker, Picker)
    return picker.asked[-1][1]


async def test_cancelled_export_writes_nothing(
    panel: LoadGraphPanel, store: HistoryStore, runner: TaskRunner, tmp_path: Path
) -> None:
    feed(store, [START + i for i in range(10)], servers=1)
    panel.set_connection(CONNECTION, store)
    picker = Picker(None)
    panel.exporter.pick_path = picker
    notices = notices_of(panel)
    panel.exporter.export_csv()
    await wait_until(lambda: bool(picker.asked))
    await wait_until(lambda: runner.pending == 0)
    assert notices == []
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == []


async def test_a_file_that_cannot_be_written_is_reported_in_one_line(
    panel: LoadGraphPanel, store: HistoryStore, tmp_path: Path
) -> None:
    feed(store, [START + i for i in range(10)], servers=1)
    panel.set_connection(CONNECTION, store)
    for export in (panel.exporter.export_csv, panel.exporter.export_png):
        target = tmp_path / "missing folder" / "load.out"
        panel.exporter.pick_path = Picker(target)
        notices = notices_of(panel)
        export()
        await wait_until(lambda notices=notices: bool(notices))
        assert notices[0].error
        assert notices[0].message.startswith(f"Could not write {target}")
        assert "\n" not in notices[0].message


def test_suggested_names_are_safe_for_windows() -> None:
    path = suggested_path('Prod: "east"/1', "csv", datetime(2026, 11, 25, 13, 50))
    assert path.name == "Prod_ _east__1 load 2026-11-25 1350.csv"
