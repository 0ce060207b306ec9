"""LoadGraphPanel: lines and points, live updates through its timer, ranges, highlight,
legend, event marks, the readout and the empty states."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.api.models import ServerStatus
from app.history import HistoryStore, Series
from tests.ui.graphs.conftest import data_items, point_count
from tests.ui.graphs.history_data import CONNECTION, START, FakeClock, cluster_at, feed
from ui.graphs.graph_lines import DIMMED_ALPHA, HIGHLIGHT_WIDTH, LINE_WIDTH, TOTAL
from ui.graphs.graph_range import GraphRange
from ui.graphs.load_graph_panel import (
    MAX_SERVER_LINES,
    NO_CONNECTION,
    NO_HISTORY,
    LoadGraphPanel,
    data_redraw_interval,
)

OTHER = "c0ffee00-0000-4000-8000-000000000002"


def seconds(count: int, start: float = START, step: float = 1.0) -> list[float]:
    return [start + i * step for i in range(count)]


def wait_for_ticks(qtbot: QtBot, panel: LoadGraphPanel, count: int) -> None:
    """Let the redraw timer fire ``count`` more times."""
    ticks: list[int] = []
    panel.timer.timeout.connect(lambda: ticks.append(1))
    qtbot.waitUntil(lambda: len(ticks) >= count, timeout=10_000)


def test_one_line_per_server_and_the_total_with_every_point(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(300), servers=4)
    panel.set_connection(CONNECTION, store, name="Production")
    assert panel.empty_text is None
    items = data_items(panel)
    assert len(items) == 5
    assert [item.name() for item in items] == [
        "Cluster total",
        "EKRAN-AS01",
        "EKRAN-AS02",
        "EKRAN-AS03",
        "EKRAN-AS04",
    ]
    assert [point_count(item) for item in items] == [300] * 5
    x, y = panel.lines.item("as-03").getData()
    assert x[0] == START
    assert y.tolist() == [30.0 + poll for poll in range(300)]
    total = panel.lines.data(TOTAL)
    assert total.y[0] == 10 + 20 + 30 + 40
    assert panel.lines.item(TOTAL).opts["pen"].widthF() > LINE_WIDTH
    assert panel.x_range() == (START, START + 300)


def test_new_samples_are_drawn_by_the_timer(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore, clock: FakeClock
) -> None:
    feed(store, seconds(300), servers=2)
    panel.set_connection(CONNECTION, store)
    feed(store, [START + 300, START + 301], servers=2, first_poll=300)
    clock.now = START + 302
    qtbot.waitUntil(lambda: point_count(panel.lines.item("as-01")) == 302, timeout=10_000)
    assert panel.lines.data("as-01").y[-1] == 10 + 301
    assert panel.x_range() == (START + 2, START + 302)  # following live


def test_redraws_are_coalesced_and_skipped_when_nothing_changed(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(100), servers=2)
    panel.set_connection(CONNECTION, store)
    panel.set_follow_live(False)
    wait_for_ticks(qtbot, panel, 1)
    before = panel.redraw_count
    wait_for_ticks(qtbot, panel, 3)
    assert panel.redraw_count == before  # nothing changed, nothing redrawn
    feed(store, seconds(5, start=START + 100), servers=2, first_poll=100)
    qtbot.waitUntil(lambda: panel.redraw_count > before, timeout=10_000)
    wait_for_ticks(qtbot, panel, 2)
    assert panel.redraw_count == before + 1  # five polls, one redraw


def test_following_live_pans_without_fetching_until_past_the_points_drawn(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore, clock: FakeClock
) -> None:
    feed(store, seconds(300), servers=2)
    panel.set_connection(CONNECTION, store)
    wait_for_ticks(qtbot, panel, 1)
    before = panel.redraw_count
    clock.now += 2.0  # within the 6 s fetched beyond the right edge of 5 minutes
    wait_for_ticks(qtbot, panel, 2)
    assert panel.x_range() == (START + 2, START + 302)  # the view moved
    assert panel.redraw_count == before  # with the points it already had
    clock.now += 10.0
    qtbot.waitUntil(lambda: panel.redraw_count == before + 1, timeout=10_000)
    assert panel.x_range() == (START + 12, START + 312)


def test_hiding_a_line_fits_the_clients_axis_to_the_others(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(60), servers=2, clients=lambda n, _: 100 * n)  # as-02 carries 200
    panel.set_connection(CONNECTION, store)
    panel.set_follow_live(False)
    for key in (TOTAL, "as-02"):
        line = panel.lines.item(key)
        sample = next(sample for sample, _ in panel.legend.items if sample.item is line)
        position = panel.plot_widget.mapFromScene(sample.mapToScene(sample.boundingRect().center()))
        QTest.mouseClick(
            panel.plot_widget.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            position,
        )
    qtbot.waitUntil(lambda: panel.view.viewRange()[1][1] < 150, timeout=10_000)


def test_range_choice_sets_the_view_and_the_points(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore, clock: FakeClock
) -> None:
    times = seconds(720, step=10.0)  # two hours, every 10 s
    feed(store, times, servers=3)
    clock.now = times[-1]
    panel.set_connection(CONNECTION, store)
    box = panel.controls.range_box
    assert box.objectName() == "graphRange"
    assert [box.itemText(i) for i in range(box.count())] == ["5 min", "1 h", "24 h", "7 d"]
    for graph_range in (GraphRange.HOUR, GraphRange.FIVE_MINUTES, GraphRange.DAY):
        box.setCurrentIndex(box.findData(graph_range))
        box.activated.emit(box.currentIndex())
        assert panel.graph_range is graph_range
        assert panel.x_range() == (clock.now - graph_range, clock.now)
        edge = graph_range * 0.02
        expected = sum(1 for t in times if clock.now - graph_range - edge <= t)
        qtbot.waitUntil(
            lambda expected=expected: point_count(panel.lines.item("as-02")) == expected,
            timeout=10_000,
        )
    assert point_count(panel.lines.item("as-02")) == 720  # 24 h holds everything


def test_zooming_with_the_mouse_stops_following(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(300), servers=2)
    panel.set_connection(CONNECTION, store)
    assert panel.follow_live
    viewport = panel.plot_widget.viewport()
    centre = QPointF(viewport.rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(viewport.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, wheel)
    start, end = panel.x_range()
    assert end - start < 300  # zoomed in
    assert not panel.follow_live
    assert not panel.controls.follow_button.isChecked()
    panel.controls.follow_button.click()
    assert panel.follow_live
    assert panel.x_range() == (START, START + 300)


def test_highlight_thickens_selected_lines_and_dims_the_others(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(60), servers=3)
    panel.set_connection(CONNECTION, store)
    panel.highlight(["as-02"])
    pens = {key: panel.lines.item(key).opts["pen"] for key in ("as-01", "as-02", "as-03")}
    assert pens["as-02"].widthF() == HIGHLIGHT_WIDTH
    assert pens["as-02"].color().alpha() == 255
    assert pens["as-01"].color().alpha() == DIMMED_ALPHA
    assert pens["as-03"].widthF() == LINE_WIDTH
    panel.highlight([])
    assert all(
        panel.lines.item(key).opts["pen"].color().alpha() == 255
        for key in ("as-01", "as-02", "as-03")
    )


def test_clicking_a_legend_entry_hides_and_shows_its_line(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(60), servers=2)
    panel.set_connection(CONNECTION, store)
    line = panel.lines.item("as-01")
    sample = next(sample for sample, _ in panel.legend.items if sample.item is line)
    centre = sample.mapToScene(sample.boundingRect().center())
    position = panel.plot_widget.mapFromScene(centre)
    viewport = panel.plot_widget.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position)
    assert not line.isVisible()
    assert "EKRAN-AS01" not in [name for _, name, _ in panel.lines.values_at(START + 10)]
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position)
    assert line.isVisible()


def test_status_changes_and_actions_are_marked_with_their_text(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    def statuses(poll: int) -> dict[int, ServerStatus]:
        return {2: ServerStatus.OFFLINE} if 100 <= poll < 150 else {}

    feed(store, seconds(300), servers=3, statuses=statuses)
    store.record_action(CONNECTION, "as-03", START + 200, "EKRAN-AS03 isolated by you: Updates")
    panel.set_connection(CONNECTION, store)
    texts = panel.marks.texts
    assert len(texts) == 3
    assert texts[0].endswith("EKRAN-AS02 went offline")
    assert texts[1].endswith("EKRAN-AS02 is back online")
    assert texts[2].endswith("EKRAN-AS03 isolated by you: Updates")
    times = [point.pos().x() for point in panel.marks.symbols.points()]
    assert times == [START + 100, START + 150, START + 200]
    assert [point.symbol() for point in panel.marks.symbols.points()] == ["t", "t1", "star"]


def test_readout_gives_the_time_and_every_value_under_the_pointer(
    qtbot: QtBot, panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(300), servers=4)
    panel.set_connection(CONNECTION, store)
    text = panel.crosshair.point_at(START + 100.2)
    assert text.endswith(
        "Cluster total 500 · EKRAN-AS04 140 · EKRAN-AS03 130 · EKRAN-AS02 120 · EKRAN-AS01 110"
    )
    assert panel.readout.text() == text
    panel.crosshair.leave()
    assert not panel.crosshair.line.isVisible()
    # A real pointer move over the plot moves the line and the readout.
    centre = panel.view.mapViewToScene(QPointF(START + 150, 50))
    QTest.mouseMove(panel.plot_widget.viewport(), panel.plot_widget.mapFromScene(centre))
    qtbot.waitUntil(lambda: "Cluster total 700" in panel.readout.text(), timeout=5_000)
    assert panel.crosshair.line.isVisible()
    assert abs(panel.crosshair.line.value() - (START + 150)) < 2


def test_gaps_in_the_history_break_the_lines(panel: LoadGraphPanel, store: HistoryStore) -> None:
    feed(store, seconds(100) + seconds(100, start=START + 180), servers=1)
    panel.set_connection(CONNECTION, store)
    _, y = panel.lines.item("as-01").getData()
    assert np.count_nonzero(np.isnan(y)) == 1
    assert panel.crosshair.point_at(START + 140) == ""  # nothing to read inside the gap


def test_empty_states_and_switching_connections(panel: LoadGraphPanel, store: HistoryStore) -> None:
    assert panel.plot_widget.objectName() == "loadGraph"
    assert panel.empty_text == NO_CONNECTION
    assert not panel.controls.export_png_button.isEnabled()
    panel.set_connection(CONNECTION, store)
    assert panel.empty_text == NO_HISTORY
    feed(store, seconds(10), servers=2)
    feed(store, seconds(10), servers=5, connection_id="other")
    panel.set_connection("other", store)
    assert panel.empty_text is None
    assert panel.controls.export_csv_button.isEnabled()
    assert len(data_items(panel)) == 6
    panel.set_connection(CONNECTION, store)
    assert len(data_items(panel)) == 3
    panel.set_connection(None, None)
    assert panel.empty_text == NO_CONNECTION
    assert not panel.timer.isActive()


def test_new_samples_alone_redraw_long_ranges_less_often() -> None:
    assert data_redraw_interval(GraphRange.FIVE_MINUTES, 1500) == 2.0  # LIVE_REDRAW_S
    assert data_redraw_interval(GraphRange.HOUR, 1500) == 2.4  # a pixel's worth of time
    assert data_redraw_interval(GraphRange.WEEK, 1500) == 10.0  # the slowest


def test_a_large_cluster_draws_the_busiest_and_selected_servers_only(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(30), servers=60)  # server n carries 10·n Clients: as-60 is busiest
    panel.set_connection(CONNECTION, store, name="Large")
    panel.set_snapshot(cluster_at(START + 29, 29, servers=60))
    panel.redraw()
    drawn = set(panel.lines.keys()) - {TOTAL}
    assert len(drawn) == MAX_SERVER_LINES
    assert drawn == {f"as-{n:02d}" for n in range(61 - MAX_SERVER_LINES, 61)}
    assert len(panel.lines.data(TOTAL).y) == 30  # the total still counts every server
    panel.highlight(["as-01"])
    panel.redraw()
    drawn = set(panel.lines.keys()) - {TOTAL}
    assert "as-01" in drawn
    assert len(drawn) == MAX_SERVER_LINES


def test_the_busiest_servers_are_ranked_by_the_snapshot_without_history_queries(
    panel: LoadGraphPanel, store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(store, seconds(30), servers=60)
    panel.set_connection(CONNECTION, store, name="Large")
    # Until a snapshot arrives the servers rank by id.
    panel.redraw()
    assert set(panel.lines.keys()) - {TOTAL} == {f"as-{n:02d}" for n in range(1, 25)}
    # The snapshot says the low numbers are busiest now, whatever the history says.
    panel.set_snapshot(cluster_at(START + 30, 30, servers=60, clients=lambda n, _: 1000 - n))
    queried: list[list[str]] = []
    series_many = store.series_many

    def recording(cid: str, sids: list[str], *rest: Any, **options: Any) -> list[Series]:
        queried.append(list(sids))
        return series_many(cid, sids, *rest, **options)

    monkeypatch.setattr(store, "series_many", recording)
    monkeypatch.setattr(store, "series", lambda *_: pytest.fail("one line at a time"))
    panel.redraw()
    drawn = set(panel.lines.keys()) - {TOTAL}
    assert drawn == {f"as-{n:02d}" for n in range(1, MAX_SERVER_LINES + 1)}
    # One query for every line drawn (and the total), none to rank.
    assert len(queried) == 1
    assert sorted(queried[0]) == sorted(drawn)


def test_switching_connections_forgets_the_ranking(
    panel: LoadGraphPanel, store: HistoryStore
) -> None:
    feed(store, seconds(10), servers=40)
    feed(store, seconds(10), servers=40, connection_id=OTHER)
    panel.set_connection(CONNECTION, store)
    panel.set_snapshot(cluster_at(START + 9, 9, servers=40))  # as-40 busiest
    panel.redraw()
    drawn = panel.lines.keys()
    assert "as-40" in drawn
    panel.set_connection(OTHER, store)  # no snapshot of this one yet: by id
    panel.redraw()
    assert set(panel.lines.keys()) - {TOTAL} == {f"as-{n:02d}" for n in range(1, 25)}
