"""Benchmark: the load graph following a 1,000-server cluster live, one poll a second.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_graph_live
[--seconds 60] [--profile]``.

A ``LoadGraphPanel`` (900 x 360, offscreen, the 5-minute view following live) over an
in-memory ``HistoryStore`` holding 300 s of polls of 1,000 servers (random walks), so
that it draws the total and the 24 busiest servers. Then ``--seconds`` simulated
seconds: a poll is recorded, the redraw timer fires right after it and again half a
second later, and Qt's events (the paints) are processed after each tick. Both clocks
the panel reads are simulated, so nothing waits. Prints the GUI thread's CPU time per
simulated second spent in the ticks and paints (recording the polls is not counted),
the redraws and the paints of the plot. ``--profile`` prints cProfile's busiest
functions over the same period.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from app.history import HistoryStore
from tests.bench.bench_history import snapshot, walks
from tests.bench.measure import load_average, machine_description, source_revision
from ui.graphs import LoadGraphPanel
from ui.tasks import TaskRunner

SERVERS = 1000
CONNECTION = "bench"
HISTORY_S = 300


class Clock:
    """Simulated seconds, moved by the loop below."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class PaintCounter(QObject):
    def __init__(self, widget: QObject) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def load_text() -> str:
    return " ".join(f"{value:.1f}" for value in load_average())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    print(f"machine: {machine_description()}; load average {load_text()}")
    print(f"source: {source_revision()}")
    clock, monotonic = Clock(1_796_000_000.0), Clock(1000.0)
    store = HistoryStore(clock=clock)
    counts = walks(SERVERS, HISTORY_S + args.seconds, np.random.default_rng(5))
    panel = LoadGraphPanel(TaskRunner(), clock=clock, monotonic=monotonic)
    panel.resize(900, 360)
    panel.show()
    for second in range(HISTORY_S):
        clock.now += 1.0
        monotonic.now += 1.0
        last = snapshot(SERVERS, counts[:, second], clock.now)
        store.record(CONNECTION, last, clock.now)
    panel.set_connection(CONNECTION, store, name="Bench")
    panel.set_snapshot(last)
    panel.timer.stop()  # ticked by hand
    app.processEvents()
    paints = PaintCounter(panel.plot_widget.viewport())
    profiler = cProfile.Profile() if args.profile else None
    cpu = 0.0
    redraws = panel.redraw_count
    for second in range(args.seconds):
        poll = snapshot(SERVERS, counts[:, HISTORY_S + second], clock.now + 0.5)
        for tick in (0, 1):
            clock.now += 0.5
            monotonic.now += 0.5
            if tick == 0:
                store.record(CONNECTION, poll, clock.now)
            started = time.thread_time()
            if profiler is not None:
                profiler.enable()
            if tick == 0:
                panel.set_snapshot(poll)
            panel.timer.timeout.emit()
            app.processEvents()
            if profiler is not None:
                profiler.disable()
            cpu += time.thread_time() - started
    print(
        f"{args.seconds} simulated s, {len(panel.lines.keys())} lines: GUI-thread CPU "
        f"{cpu / args.seconds * 1000:.2f} ms per second; {panel.redraw_count - redraws} "
        f"redraws, {paints.count} paints of the plot; load average {load_text()}"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
