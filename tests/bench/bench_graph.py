"""Benchmark: the load graph with 100 servers, 7 days of history and a day of 1 s polls.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_graph
[--servers 100] [--repeat 20] [--hours 24]``.

1. A history file with 7 days of 1-minute rows and the last hour of 1 s samples for
   ``--servers`` servers (``bench_history.write_history``) is loaded whole into a
   ``HistoryStore``; its writer is then closed, so that step 2 measures the graph and
   the buffers rather than a disk that cannot keep up with polls fed at full speed.
2. The 7-day view in a ``LoadGraphPanel`` (1600 x 600, offscreen): ``--repeat`` times
   a full redraw, split into the update (fetching every line and the events, ``setData``)
   and the paint (a synchronous repaint of the plot), in wall time and in CPU time of
   the GUI thread; then the history queries of one redraw alone. Target: the sum under
   50 ms.
3. ``--hours`` of polls of the whole cluster, one per simulated second, are fed through
   ``record`` as fast as the machine allows while the panel follows live in the 7-day
   view and redraws on its own timer (events are processed after every 50 polls). The
   RSS after the first 2 simulated hours (the raw ring is full by then) is compared
   with the RSS at the end and at every simulated hour. Target: growth under 2 %.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QApplication

from app.history import HistoryStore
from app.history.database import HISTORY_FILE
from tests.bench.bench_history import CONNECTION, DAY_S, snapshot, walks, write_history
from tests.bench.measure import MB, load_average, machine_description, source_revision, vm_rss_bytes
from ui.graphs import GraphRange, LoadGraphPanel
from ui.tasks import TaskRunner

REDRAW_TARGET_MS = 50.0
RSS_TARGET_PERCENT = 2.0
WARMUP_HOURS = 2
EVENTS_EVERY = 50  # polls between two rounds of Qt event processing
SIZE = (1600, 600)


class Clock:
    """The simulated time, moved by the feeding loop."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def load_week(path: Path, servers: int, clock: Clock) -> HistoryStore:
    write_history(path, servers, clock.now)
    store, notice = HistoryStore.open(path, clock=clock, load_s=7 * DAY_S)
    if notice:
        raise SystemExit(f"unexpected notice: {notice}")
    store.close()  # keeps working in memory
    return store


def measure_redraw(app: QApplication, panel: LoadGraphPanel, repeat: int) -> dict[str, float]:
    """Median and worst times of a 7-day redraw, in ms: wall time of the update and of the
    paint, and the CPU time of the GUI thread for both (less disturbed by other work on a
    shared machine)."""
    updates: list[float] = []
    paints: list[float] = []
    cpu: list[float] = []
    viewport = panel.plot_widget.viewport()
    for _ in range(repeat):
        app.processEvents()
        cpu_started = time.thread_time()
        started = time.perf_counter()
        panel.redraw()
        updated = time.perf_counter()
        viewport.repaint()
        painted = time.perf_counter()
        cpu.append((time.thread_time() - cpu_started) * 1000)
        updates.append((updated - started) * 1000)
        paints.append((painted - updated) * 1000)
    totals = [u + p for u, p in zip(updates, paints, strict=True)]
    return {
        "update": statistics.median(updates),
        "paint": statistics.median(paints),
        "median": statistics.median(totals),
        "worst": max(totals),
        "cpu": statistics.median(cpu),
        "cpu_worst": max(cpu),
    }


def measure_queries(panel: LoadGraphPanel, store: HistoryStore, repeat: int) -> float:
    """Median GUI-thread CPU ms of the history queries alone that one redraw makes."""
    start, end = panel.x_range()
    points = max(len(panel.lines.data(key).t) for key in panel.lines.keys())  # noqa: SIM118
    times: list[float] = []
    for _ in range(repeat):
        started = time.thread_time()
        for server_id in store.servers(CONNECTION):
            store.series(CONNECTION, server_id, start, end, points)
        store.total_series(CONNECTION, start, end, points)
        times.append((time.thread_time() - started) * 1000)
    return statistics.median(times)


def points_drawn(panel: LoadGraphPanel) -> int:
    return sum(len(panel.lines.data(key).t) for key in panel.lines.keys())  # noqa: SIM118


def feed_day(
    app: QApplication,
    panel: LoadGraphPanel,
    store: HistoryStore,
    clock: Clock,
    args: argparse.Namespace,
) -> tuple[list[tuple[int, float]], int, float]:
    """Feed ``args.hours`` of 1 s polls; returns (hour, RSS MB) samples, redraws, seconds."""
    rng = np.random.default_rng(11)
    counts = walks(args.servers, 3600, rng)  # one hour of Clients, replayed every hour
    samples: list[tuple[int, float]] = []
    redraws_before = panel.redraw_count
    started = time.perf_counter()
    for second in range(int(args.hours * 3600)):
        clock.now += 1.0
        store.record(
            CONNECTION, snapshot(args.servers, counts[:, second % 3600], clock.now), clock.now
        )
        if second % EVENTS_EVERY == 0:
            app.processEvents()
        if (second + 1) % 3600 == 0:
            gc.collect()
            samples.append(((second + 1) // 3600, vm_rss_bytes() / MB))
    app.processEvents()
    return samples, panel.redraw_count - redraws_before, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--hours", type=float, default=24.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    print(f"machine: {machine_description()}; load average {load_average()}")
    print(f"source: {source_revision()}; {args.servers} servers; Qt platform {app.platformName()}")
    clock = Clock(1_796_000_000.0)
    with tempfile.TemporaryDirectory(prefix="bench-graph-") as name:
        store = load_week(Path(name) / HISTORY_FILE, args.servers, clock)

    panel = LoadGraphPanel(TaskRunner(), clock=clock)
    panel.resize(*SIZE)
    panel.show()
    panel.set_connection(CONNECTION, store, name="Bench")
    panel.set_range(GraphRange.WEEK)
    app.processEvents()
    redraw = measure_redraw(app, panel, args.repeat)
    queries = measure_queries(panel, store, args.repeat)
    verdict = "ok" if redraw["median"] < REDRAW_TARGET_MS else "OVER"
    print(
        f"7-day view redraw, {len(panel.lines.keys())} lines, {points_drawn(panel)} points: "
        f"median {redraw['median']:.1f} ms wall (update {redraw['update']:.1f} + paint "
        f"{redraw['paint']:.1f}), worst {redraw['worst']:.1f} ms; GUI thread CPU median "
        f"{redraw['cpu']:.1f} ms, worst {redraw['cpu_worst']:.1f} ms; target < "
        f"{REDRAW_TARGET_MS:.0f} ms (wall): {verdict}"
    )
    print(f"of which the history queries (app.history) take {queries:.1f} ms CPU")

    samples, redraws, elapsed = feed_day(app, panel, store, clock, args)
    polls = int(args.hours * 3600)
    baseline = next((rss for hour, rss in samples if hour == WARMUP_HOURS), None)
    print(
        f"fed {polls} polls in {elapsed:.0f} s ({elapsed / polls * 1000:.2f} ms per poll, "
        f"{redraws} timer redraws)"
    )
    if baseline is None:
        print(f"RSS: run more than {WARMUP_HOURS} simulated hours to compare after warm-up")
        return
    after = [rss for hour, rss in samples if hour >= WARMUP_HOURS]
    growth = (after[-1] - baseline) / baseline * 100
    peak = (max(after) - baseline) / baseline * 100
    verdict = "ok" if max(growth, peak) < RSS_TARGET_PERCENT else "OVER"
    hourly = ", ".join(f"{rss:.0f}" for _, rss in samples)
    print(f"RSS per simulated hour (MB): {hourly}")
    print(
        f"RSS after {WARMUP_HOURS} h warm-up {baseline:.1f} MB, at the end {after[-1]:.1f} MB: "
        f"growth {growth:+.2f} % (peak {peak:+.2f} %); target < {RSS_TARGET_PERCENT:.0f} %: "
        f"{verdict}"
    )
    panel.set_connection(None, None)


if __name__ == "__main__":
    main()
