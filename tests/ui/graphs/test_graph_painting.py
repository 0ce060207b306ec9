"""LoadGraphPanel's painting work: the legend kept when the busiest servers change, one
repaint per poll, given line bounds, nothing drawn while hidden, dark-mode contrast, the
legend and the Clients axis painted from caches that follow every change."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGraphicsItem
from pytestqt.qtbot import QtBot

from app.history import HistoryStore
from tests.ui.graphs.history_data import CONNECTION, START, FakeClock, cluster_at, feed
from ui.graphs.graph_lines import DIMMED_ALPHA, DIMMED_ALPHA_DARK, TOTAL, BoundedCurve
from ui.graphs.load_graph_panel import LIVE_REDRAW_S, MAX_SERVER_LINES, LoadGraphPanel
from ui.tasks import TaskRunner
from ui.theme import dark_palette, light_palette


def seconds(count: int, start: float = START) -> list[float]:
    return [start + i for i in range(count)]


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget: QObject) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def line_keys(panel: LoadGraphPanel) -> list[str]:
    return panel.lines.keys()


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def test_a_new_set_of_busiest_servers_reuses_the_legend_entries(
    panel: LoadGraphPanel, store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(store, seconds(30), servers=60)
    panel.set_connection(CONNECTION, store, name="Large")
    panel.redraw()  # no snapshot yet: as-01..as-24 by id
    entries = list(panel.legend.items)
    lines = [panel.lines.item(key) for key in line_keys(panel)]
    colours = {panel.lines.item(key).opts["pen"].color().name() for key in line_keys(panel)}
    added: list[object] = []
    add_item = panel.legend.addItem
    monkeypatch.setattr(panel.legend, "addItem", lambda *a: added.append(a) or add_item(*a))

    panel.redraw()  # the same servers
    assert panel.legend.items == entries

    # The snapshot makes as-37..as-60 the busiest: every line changes hands.
    panel.set_snapshot(cluster_at(START + 29, 29, servers=60))
    panel.redraw()
    drawn = set(line_keys(panel)) - {TOTAL}
    assert drawn == {f"as-{n:02d}" for n in range(61 - MAX_SERVER_LINES, 61)}
    assert added == []
    assert panel.legend.items == entries  # the same entries, in the same places
    assert [panel.lines.item(key) for key in line_keys(panel)] == lines
    labels = [label.text for _, label in panel.legend.items]
    assert labels[0] == "Cluster total"
    assert sorted(labels[1:]) == sorted(f"EKRAN-AS{n:02d}" for n in range(37, 61))
    assert [item.name() for item in lines] == labels
    assert {panel.lines.item(k).opts["pen"].color().name() for k in line_keys(panel)} == colours
    assert len(panel.lines.data("as-60").t) == 30  # with the new server's points


def test_a_line_hidden_in_the_legend_is_shown_for_the_server_that_takes_it(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(30), servers=60)
    panel.set_connection(CONNECTION, store, name="Large")
    panel.redraw()
    panel.lines.item("as-01").setVisible(False)
    panel.set_snapshot(cluster_at(START + 29, 29, servers=60))
    panel.redraw()
    assert all(panel.lines.is_visible(key) for key in line_keys(panel))


def test_fewer_servers_remove_lines_and_more_add_them(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(10), servers=3)
    panel.set_connection(CONNECTION, store)
    assert len(panel.legend.items) == 4
    feed(store, seconds(10, START + 10), servers=5, first_poll=10)
    panel.redraw()
    assert [label.text for _, label in panel.legend.items] == [
        "Cluster total",
        *(f"EKRAN-AS{n:02d}" for n in range(1, 6)),
    ]


def live_panel(
    qtbot: QtBot, store: HistoryStore, clock: FakeClock
) -> tuple[QApplication, LoadGraphPanel]:
    """A shown panel following 300 s of four servers' history live, its redraw timer
    stopped (the test drives it by hand)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    panel = LoadGraphPanel(TaskRunner(), clock=clock, monotonic=clock)
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    panel.show()
    qtbot.waitExposed(panel)
    feed(store, seconds(300), servers=4)
    panel.set_connection(CONNECTION, store)
    panel.timer.stop()
    settle(app)
    return app, panel


def test_a_poll_shown_live_costs_one_paint_of_the_plot(
    qtbot: QtBot, store: HistoryStore, clock: FakeClock
) -> None:
    app, panel = live_panel(qtbot, store, clock)
    paints = PaintCounter(panel.plot_widget.viewport())
    for poll in range(300, 306, 2):  # each drawn LIVE_REDRAW_S after the last redraw
        feed(store, [START + poll], servers=4, first_poll=poll)
        clock.now = START + poll + 2
        before = (paints.count, panel.redraw_count)
        panel.timer.timeout.emit()
        settle(app)
        assert panel.x_range() == (START + poll + 2 - 300, START + poll + 2)  # moved
        assert (paints.count, panel.redraw_count) == (before[0] + 1, before[1] + 1)


def test_polls_a_little_over_a_second_apart_are_drawn_every_other_poll(
    qtbot: QtBot, store: HistoryStore, clock: FakeClock
) -> None:
    # A monitor polls a second after the last reply: its polls drift against the
    # redraw timer's half-second ticks. The new samples are drawn every LIVE_REDRAW_S
    # (every other poll here), and the view moves with those redraws only, not also on
    # a tick between them: one paint of the plot per redraw.
    app, panel = live_panel(qtbot, store, clock)
    paints = PaintCounter(panel.plot_widget.viewport())
    redraws = panel.redraw_count
    tick, polls = START + 300.0, 0
    next_poll = tick + 0.45
    while polls < 12:
        tick += 0.5
        if next_poll <= tick:
            clock.now = next_poll
            feed(store, [next_poll], servers=4, first_poll=300 + polls)
            polls += 1
            next_poll += 1.1
        clock.now = tick
        panel.timer.timeout.emit()
        settle(app)
    drawn = panel.redraw_count - redraws
    assert drawn == 6  # 12 polls over 13.2 s: one redraw every 2 to 2.5 s
    assert paints.count == drawn
    assert panel.x_range()[1] == pytest.approx(tick, abs=LIVE_REDRAW_S)  # following live


def test_a_live_view_without_polls_still_moves_every_second(
    qtbot: QtBot, store: HistoryStore, clock: FakeClock
) -> None:
    app, panel = live_panel(qtbot, store, clock)
    ends = []
    feed(store, [START + 300], servers=4, first_poll=300)  # the last poll answered
    for half_seconds in range(1, 11):  # then none (the connection is lost)
        clock.now = START + 300 + half_seconds * 0.5
        panel.timer.timeout.emit()
        settle(app)
        ends.append(panel.x_range()[1] - START - 300)
    # The last poll is drawn (and the view moved) LIVE_REDRAW_S after the redraw before
    # it; from then on, with no poll coming, the view moves on its own every second.
    assert LIVE_REDRAW_S == 2.0
    assert ends == [0.0, 0.0, 0.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0]


def test_lines_take_the_data_area_as_bounds_instead_of_computing_theirs(
    panel: LoadGraphPanel, store: HistoryStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(store, seconds(300), servers=4)
    panel.set_connection(CONNECTION, store)
    computed: list[int] = []
    data_bounds = pg.PlotCurveItem.dataBounds
    monkeypatch.setattr(
        pg.PlotCurveItem,
        "dataBounds",
        lambda self, *a, **k: (
            (computed.append(1) if isinstance(self, BoundedCurve) else None)
            or data_bounds(self, *a, **k)
        ),
    )
    clock.now += 2.0
    panel.set_follow_live(True)  # moves the view
    panel.plot_widget.viewport().repaint()
    assert computed == []
    (low, high) = panel.view.viewRange()[1]
    for key in line_keys(panel):
        rect = panel.lines.item(key).boundingRect()
        assert (rect.top(), rect.bottom()) == pytest.approx((low, high))
        x, y = panel.lines.item(key).getData()
        assert rect.left() <= x.min()
        assert x.max() <= rect.right()
        assert low <= y.min()
        assert y.max() <= high


def test_nothing_is_fetched_or_drawn_while_hidden(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(30), servers=2)
    panel.set_connection(CONNECTION, store)
    panel.hide()
    assert not panel.timer.isActive()
    redraws = panel.redraw_count
    feed(store, seconds(5, START + 30), servers=2, first_poll=30)
    qtbot.wait(panel.timer.interval() * 2)
    assert panel.redraw_count == redraws
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.redraw_count == redraws + 1
    assert len(panel.lines.data("as-01").t) == 35


def test_dimmed_lines_stay_readable_on_a_dark_background(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(30), servers=3)
    panel.set_connection(CONNECTION, store)
    panel.highlight(["as-02"])

    def alpha(key: str) -> int:
        return int(panel.lines.item(key).opts["pen"].color().alpha())

    panel.setPalette(light_palette())
    assert (alpha("as-01"), alpha("as-02")) == (DIMMED_ALPHA, 255)
    panel.setPalette(dark_palette())
    assert DIMMED_ALPHA_DARK > DIMMED_ALPHA
    assert (alpha("as-01"), alpha("as-03"), alpha("as-02")) == (
        DIMMED_ALPHA_DARK,
        DIMMED_ALPHA_DARK,
        255,
    )
    assert (
        panel.lines.item("as-02").opts["pen"].widthF()
        > panel.lines.item("as-01").opts["pen"].widthF()
    )


def test_a_selected_server_that_gets_a_line_later_is_highlighted(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(30), servers=60)
    panel.set_connection(CONNECTION, store, name="Large")
    panel.set_snapshot(cluster_at(START + 29, 29, servers=60))
    panel.redraw()
    assert "as-01" not in line_keys(panel)
    panel.highlight(["as-01"])
    panel.redraw()
    assert panel.lines.highlighted == {"as-01"}
    assert panel.lines.item("as-60").opts["pen"].color().alpha() < 255


CLIPPED = 30
"""Pixels a cache may leave out: the ends of a thick legend sample line reach a pixel
beyond the sample's bounding rectangle (an entry painted stale differs in hundreds)."""


def pixels_apart(first: QImage, second: QImage) -> int:
    """How many pixels of two images of one size differ."""
    arrays = []
    for image in (first, second):
        image = image.convertToFormat(QImage.Format.Format_ARGB32)
        shape = (image.height(), image.bytesPerLine() // 4, 4)
        # A copy: the converted image, and the memory its bits view, go with the loop.
        arrays.append(np.frombuffer(image.constBits(), np.uint8).reshape(shape).copy())
    return int((arrays[0] != arrays[1]).any(axis=2).sum())


def _uncached_render(panel: LoadGraphPanel) -> QImage:
    """The plot as painted with no item cache at all (the caches are put back)."""
    scene = panel.plot_widget.scene()
    modes = {item: item.cacheMode() for item in scene.items()}
    for item in modes:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    image = panel.plot_widget.grab().toImage()
    for item, mode in modes.items():
        item.setCacheMode(mode)
    return image


def test_the_cached_legend_and_axis_show_what_a_fresh_paint_shows(
    qapp: QApplication, panel: LoadGraphPanel, store: HistoryStore, clock: FakeClock
) -> None:
    feed(store, seconds(60), servers=5)
    panel.set_connection(CONNECTION, store, name="Small")
    panel.redraw()
    settle(qapp)
    cached = [
        item
        for item in panel.plot_widget.scene().items()
        if item.cacheMode() is QGraphicsItem.CacheMode.DeviceCoordinateCache
    ]
    assert len(cached) >= 2 + 3 * 5  # legend frame, Clients axis, each entry's three parts
    steps = [
        lambda: panel.highlight(["as-02"]),  # pens of the legend samples change
        lambda: panel.setPalette(dark_palette()),  # texts, frame and axis recoloured
        lambda: feed(store, seconds(5, START + 60), servers=5, clients=lambda n, p: 40 * n),
        lambda: panel.highlight([]),
    ]
    assert pixels_apart(panel.plot_widget.grab().toImage(), _uncached_render(panel)) <= CLIPPED
    for number, step in enumerate(steps):
        panel.plot_widget.grab()  # the caches are filled
        step()
        panel.redraw()
        settle(qapp)
        shown = panel.plot_widget.grab().toImage()
        assert pixels_apart(shown, _uncached_render(panel)) <= CLIPPED, f"step {number}"
