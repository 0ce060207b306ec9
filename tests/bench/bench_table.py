"""Benchmark: the servers table's work per poll of a 1,000-server cluster, painting included.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_table [--polls 40]
[--changed 20] [--height 560]``.

No network and no window: the replies of ``bench_poll`` (``--changed`` servers' Clients
move by one and a thirtieth of the heartbeats are refreshed per poll), recorded into an
in-memory ``HistoryStore`` (300 polls first, so every Trend sparkline has 5 minutes of
values) and shown by a real ``ClusterPane`` (1280 x ``--height``, offscreen), sorted by
Clients, descending, as the window is. Per poll, after 5 polls of warm-up, in CPU time
of this thread (``time.thread_time``):

- ``apply``: ``ClusterPane.set_snapshot`` (table model, sort proxy, overview strip);
- ``tick``: the pane's once-a-second refresh (relative times, sparklines on screen);
- ``paint``: processing Qt's events after each, which paints what they changed.

Also per poll: the proxy's layout changes (rows moved by the sort), the model's
``dataChanged`` signals, the cells painted (``multiData`` calls), the share of the
viewport painted and the sparklines drawn. Recording the history is not counted.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from app.api.cluster_reader import ClusterReplyReader
from app.api.models import ClusterSnapshot
from app.history import HistoryStore
from tests.bench.bench_poll import START, entries, reply_body
from tests.bench.measure import load_average, machine_description, source_revision
from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.columns import TREND_SECONDS, Column
from ui.cluster.server_table_model import ServerTableModel
from ui.cluster.sparkline_delegate import SparklineDelegate

CONNECTION = "bench"
HISTORY_POLLS = 300
WARM_UP_POLLS = 5


class PaintedArea(QObject):
    """Sums the area of every paint event of a widget."""

    def __init__(self, widget: QObject) -> None:
        super().__init__(widget)
        self.area = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.area += sum(r.width() * r.height() for r in event.region())  # type: ignore[attr-defined]
        return False


def counter(counts: dict[str, int], name: str) -> Callable[..., None]:
    def count(*_: object) -> None:
        counts[name] += 1

    return count


def run(app: QApplication, polls: int, changed: int, height: int) -> dict[str, float]:
    rng = random.Random(1)
    listed = entries(1000, rng)
    reader = ClusterReplyReader()
    now = [START]
    store = HistoryStore(clock=lambda: now[0].timestamp())
    pane = ClusterPane(clock=lambda: now[0])
    pane.resize(1280, height)
    pane.show()
    pane.table.sortByColumn(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    pane.set_sparkline_source(lambda sid: store.sparkline(CONNECTION, sid, TREND_SECONDS))
    counts = dict.fromkeys(("layouts", "signals", "cells"), 0)
    pane.proxy.layoutChanged.connect(counter(counts, "layouts"))
    pane.model.dataChanged.connect(counter(counts, "signals"))
    multi_data = ServerTableModel.multiData

    def counted(model: ServerTableModel, index: object, span: object) -> None:
        counts["cells"] += 1
        multi_data(model, index, span)  # type: ignore[arg-type]

    ServerTableModel.multiData = counted  # type: ignore[method-assign]
    painted = PaintedArea(pane.table.viewport())
    delegate = pane.table.itemDelegateForColumn(Column.TREND)
    assert isinstance(delegate, SparklineDelegate)
    spent = dict.fromkeys(("apply", "tick", "paint"), 0.0)
    renders = 0
    for poll in range(HISTORY_POLLS + WARM_UP_POLLS + polls):
        body = reply_body(listed, poll, changed, rng)
        reply = reader.read(json.loads(body), status=200, url="https://bench.example")
        now[0] = START + timedelta(seconds=poll)
        snapshot = ClusterSnapshot(
            cluster=reply.cluster,
            servers=reply.servers,
            etag=None,
            received_at=now[0],
            source_url="https://bench.example",
        )
        store.record(CONNECTION, snapshot, now[0].timestamp())
        if poll < HISTORY_POLLS:
            continue
        if poll == HISTORY_POLLS + WARM_UP_POLLS:
            for name in counts:
                counts[name] = 0
            painted.area, renders = 0, delegate.renders
            spent = dict.fromkeys(spent, 0.0)
        marks = [time.thread_time()]
        pane.set_snapshot(snapshot)
        marks.append(time.thread_time())
        app.processEvents()
        marks.append(time.thread_time())
        pane._on_ticker_timeout()  # the pane's one-second timer, on the poll's beat
        marks.append(time.thread_time())
        app.processEvents()
        marks.append(time.thread_time())
        spent["apply"] += marks[1] - marks[0]
        spent["paint"] += marks[2] - marks[1] + marks[4] - marks[3]
        spent["tick"] += marks[3] - marks[2]
    viewport = pane.table.viewport()
    figures = {f"{name} ms": seconds / polls * 1000 for name, seconds in spent.items()}
    figures["all ms"] = sum(spent.values()) / polls * 1000
    figures.update({name: value / polls for name, value in counts.items()})
    figures["viewports painted"] = painted.area / polls / (viewport.width() * viewport.height())
    figures["sparklines drawn"] = (delegate.renders - renders) / polls
    figures["rows on screen"] = len(pane.table.visible_rows())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=40, help="measured polls (default 40)")
    parser.add_argument("--changed", type=int, default=20, help="Clients changes per poll")
    parser.add_argument("--height", type=int, default=560, help="the pane's height in pixels")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    figures = run(app, args.polls, args.changed, args.height)
    print(f"machine: {machine_description()}; revision {source_revision()}")
    print(f"1000 servers, {args.changed} Clients changes per poll, {args.polls} polls, per poll:")
    print("  ".join(f"{name} {value:.2f}" for name, value in figures.items()))
    print("load average {:.2f} {:.2f} {:.2f}".format(*load_average()))


if __name__ == "__main__":
    main()
