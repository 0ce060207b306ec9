"""A load graph panel over a HistoryStore with a settable clock."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from pytestqt.qtbot import QtBot

from app.history import HistoryStore
from tests.ui.graphs.history_data import START, FakeClock
from ui.graphs.graph_lines import BoundedCurve
from ui.graphs.load_graph_panel import LoadGraphPanel
from ui.tasks import TaskRunner


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START + 300)


@pytest.fixture
def store(clock: FakeClock) -> HistoryStore:
    return HistoryStore(clock=clock)


@pytest.fixture
def runner() -> TaskRunner:
    return TaskRunner()


@pytest.fixture
def panel(qtbot: QtBot, clock: FakeClock, runner: TaskRunner) -> LoadGraphPanel:
    widget = LoadGraphPanel(runner, clock=clock)
    qtbot.addWidget(widget)
    widget.resize(900, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def data_items(panel: LoadGraphPanel) -> list[BoundedCurve]:
    """The graph's lines as pyqtgraph holds them (event marks are other item types)."""
    return [item for item in panel.plot.listDataItems() if isinstance(item, BoundedCurve)]


def point_count(item: pg.PlotCurveItem) -> int:
    """Points given to a line, not counting the NaN breaks drawn at gaps."""
    x, y = item.getData()
    if x is None:
        return 0
    return int(np.count_nonzero(~np.isnan(y)))
