"""Benchmark: the main window showing a 1,000-server cluster polled every second.

Run: ``.venv/bin/python -m tests.bench.bench_window [--minutes 5] [--warmup-seconds 30]
[--profile FILE] [--json FILE]``.

One simulator process (``--servers 1000 --endpoints 3 --clients 100000``) serves the
cluster. This process is the console: the real ``MainWindow``, built by
``ui.app.build_services`` over a temporary home, settings file and in-memory keyring,
runs on a qasync loop exactly as ``ui.app`` runs it, offscreen on a 1920 x 1080 screen,
shown at 1280 x 800. The simulator's three endpoints are opened as a transient
connection polling every second, with the cluster table sorted by Clients, descending.

After the warm-up (not measured), figures over the rest of the run:

- CPU: this process's user plus system time (every thread) over wall time; target
  < 8 % of one core.
- Event-loop stalls: a 10 ms precise ``QTimer`` on the GUI thread records how late each
  tick fires; max, p99 and the number of ticks later than 50 ms (target: none).
- RSS: at start-up, after the warm-up and at the end.

``--stall-profile`` samples the GUI thread's Python stack every 2 ms while the loop is
stalled (no probe tick for 20 ms) from a watchdog thread and prints, for the stalls
over 50 ms, which functions they spent their time in (inclusive sample counts) and
the longest stalls' leaf frames; its cost is a thread waking every 2 ms.

The summary also gives the paints per snapshot of the Load graph, the servers table
and the overview strip. The window freezes what start-up allocated and, 10 s after
the first snapshot shown, what opening the cluster allocated (as ``ui.app`` does);
``--no-second-freeze`` leaves the second freeze out, for comparison.

``--hide-load-dock`` hides the window's Load dock (the load graph) before the cluster
is opened, to measure the rest of the window alone. ``--profile FILE`` runs the
measured period under cProfile (the CPU figures are then inflated), saves the
statistics and prints the busiest functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import qasync
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from app.api.settings import TrustMode
from app.connections import ConnectionProfile, TlsOptions
from app.credentials import CredentialStore, Secret
from app.monitor import MonitorStatus
from app.paths import AppPaths
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.bench.harness import run_in_scratch
from tests.bench.measure import (
    MB,
    cpu_seconds,
    load_average,
    machine_description,
    process_cpu_seconds,
    source_revision,
    vm_rss_bytes,
)
from tests.helpers.simulator_process import ROOT, SimulatorProcess
from ui.app import (
    build_services,
    create_application,
    freeze_after_first_snapshot,
    freeze_startup_objects,
)
from ui.cluster.columns import Column
from ui.main_window import MainWindow
from ui.settings import WindowSettings

SERVERS = 1000
SIMULATOR_ARGS = ["--servers", str(SERVERS), "--endpoints", "3", "--clients", "100000"]
POLL_INTERVAL_S = 1.0
WINDOW_SIZE = (1280, 800)
SCREEN = {"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080}
PROBE_INTERVAL_MS = 10
STALL_MS = 50.0
CPU_TARGET_PERCENT = 8.0
FIRST_DATA_TIMEOUT_S = 120.0
SHUTDOWN_TIMEOUT_S = 60.0
PROGRESS_EVERY_S = 60.0
SLEEP_SLACK_S = 0.1  # the loop's timers may wake a little early
STALL_SAMPLE_AFTER_S = 0.02
STALL_SAMPLE_EVERY_S = 0.002


class StallSampler:
    """A watchdog thread that samples the GUI thread's stack while the loop is stalled.

    The probe calls ``beat`` on every tick. When no beat came for ``STALL_SAMPLE_AFTER_S``
    the thread takes ``sys._current_frames()`` of the GUI thread every
    ``STALL_SAMPLE_EVERY_S``; an episode (from the last beat to the next) longer than
    ``STALL_MS`` keeps its samples in ``episodes`` as (duration in ms, stacks), each stack
    a tuple of ``file:function:line`` from the outermost frame in.
    """

    def __init__(self) -> None:
        self.episodes: list[tuple[float, list[tuple[str, ...]]]] = []
        self._gui = threading.get_ident()
        self._last_beat = time.perf_counter()
        self._stop = threading.Event()
        self._current: list[tuple[str, ...]] = []
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        self.episodes.clear()

    def beat(self) -> None:
        now = time.perf_counter()
        duration_ms = (now - self._last_beat) * 1000.0
        self._last_beat = now
        samples, self._current = self._current, []
        if duration_ms - PROBE_INTERVAL_MS > STALL_MS and samples:
            self.episodes.append((duration_ms - PROBE_INTERVAL_MS, samples))

    def _run(self) -> None:
        while not self._stop.wait(STALL_SAMPLE_EVERY_S):
            if time.perf_counter() - self._last_beat < STALL_SAMPLE_AFTER_S:
                continue
            frame = sys._current_frames().get(self._gui)
            stack: list[str] = []
            while frame is not None:
                code = frame.f_code
                stack.append(f"{Path(code.co_filename).name}:{code.co_name}:{frame.f_lineno}")
                frame = frame.f_back
            self._current.append(tuple(reversed(stack)))


def print_stall_profile(sampler: StallSampler, lines: int = 30) -> None:
    """Where the stalls over ``STALL_MS`` spent their time, by inclusive sample count."""
    episodes = sampler.episodes
    print(f"\nstall profile: {len(episodes)} stalls over {STALL_MS:g} ms sampled")
    inclusive: Counter[str] = Counter()
    total = 0
    for _duration, samples in episodes:
        for stack in samples:
            total += 1
            for frame in {f.rsplit(":", 1)[0] for f in stack}:
                inclusive[frame] += 1
    for frame, count in inclusive.most_common(lines):
        print(f"  {100 * count / max(total, 1):5.1f} %  {frame}")
    for duration, samples in sorted(episodes, reverse=True)[:8]:
        leaves = Counter(" < ".join(reversed(stack[-4:])) for stack in samples)
        print(f"  stall {duration:.1f} ms, {len(samples)} samples:")
        for leaf, count in leaves.most_common(4):
            print(f"    {count:3d}  {leaf}")


class StallProbe:
    """A precise ``PROBE_INTERVAL_MS`` timer on the GUI thread that records its lateness.

    ``late_ms`` holds, per tick since the last ``reset``, how many milliseconds after
    the due time it fired (0 when on time): the time the event loop was busy elsewhere.
    """

    def __init__(self, sampler: StallSampler | None = None) -> None:
        self.late_ms: list[float] = []
        self._sampler = sampler
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PROBE_INTERVAL_MS)
        self._timer.timeout.connect(self._on_tick)
        self._last = time.perf_counter()

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def reset(self) -> None:
        """Forget the ticks so far (the warm-up)."""
        self.late_ms.clear()

    def stop(self) -> None:
        self._timer.stop()
        shiboken6.delete(self._timer)

    def _on_tick(self) -> None:
        now = time.perf_counter()
        gap_ms = (now - self._last) * 1000.0
        self._last = now
        self.late_ms.append(max(0.0, gap_ms - PROBE_INTERVAL_MS))
        if self._sampler is not None:
            self._sampler.beat()


class PaintCounter(QObject):
    """Counts the paint events of the widgets it watches, by name, since the last reset."""

    def __init__(self, widgets: dict[str, QWidget]) -> None:
        super().__init__()
        self._names = {id(widget): name for name, widget in widgets.items()}
        self.counts: Counter[str] = Counter()
        for widget in widgets.values():
            widget.installEventFilter(self)

    def reset(self) -> None:
        self.counts.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.counts[self._names.get(id(watched), "?")] += 1
        return False


@dataclass
class Counters:
    """What the window received during the measured period."""

    snapshots: int = 0
    health_updates: int = 0
    states: list[str] = field(default_factory=list)


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def profile_for(sim: SimulatorProcess) -> ConnectionProfile:
    """A connection to the simulator's endpoints, trusting its CA, polling every second."""
    return ConnectionProfile(
        name="Benchmark cluster",
        urls=[endpoint.url for endpoint in sim.info.endpoints],
        username=sim.info.username,
        tls=TlsOptions(mode=TrustMode.CA_FILE, ca_file=str(sim.info.ca_file)),
        poll_interval_s=POLL_INTERVAL_S,
    )


async def wait_for(predicate: Any, within: float, what: str) -> None:
    """Wait on the running loop until ``predicate()`` is true; TimeoutError names ``what``."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {within:g} s")
        await asyncio.sleep(0.05)


async def sleep_with_progress(seconds: float, label: str, sim: SimulatorProcess) -> None:
    """Sleep ``seconds`` on the loop, printing this process's CPU and RSS every minute."""
    started = time.monotonic()
    while (left := seconds - (time.monotonic() - started)) > SLEEP_SLACK_S:
        await asyncio.sleep(min(left, PROGRESS_EVERY_S))
        sim_cpu = process_cpu_seconds(sim.proc.pid) if sim.proc is not None else 0.0
        print(
            f"{label}: {time.monotonic() - started:5.0f} of {seconds:.0f} s; console CPU "
            f"{cpu_seconds():.1f} s, RSS {vm_rss_bytes() / MB:.1f} MB; simulator CPU "
            f"{sim_cpu:.1f} s; load {load_average()[0]:.2f}",
            flush=True,
        )


async def measure_window(
    args: argparse.Namespace, sim: SimulatorProcess, home: Path
) -> dict[str, Any]:
    """Open the cluster in a real main window and measure it; see the module docstring."""
    rss_start = vm_rss_bytes()
    services = build_services(
        AppPaths.under(home / "home").ensure(),
        WindowSettings.in_file(home / "settings.ini"),
        CredentialStore(MemoryKeyring()),
    )
    window = MainWindow(services)
    window.start()
    window.resize(*WINDOW_SIZE)
    window.show()
    freeze_startup_objects()  # as ui.app.run_window does
    if not args.no_second_freeze:
        freeze_after_first_snapshot(window.cluster_pane.snapshot_shown)
    if args.hide_load_dock:
        window.load_views.dock.hide()
    table = window.cluster_pane.table
    table.sortByColumn(Column.CLIENTS, Qt.SortOrder.DescendingOrder)

    counters = Counters()
    window.sessions.snapshot_received.connect(lambda *_: _count(counters, "snapshots"))
    window.sessions.health_updated.connect(lambda *_: _count(counters, "health_updates"))
    window.sessions.status_changed.connect(lambda _id, status: _note_state(counters, status))
    sampler = StallSampler() if args.stall_profile else None
    probe = StallProbe(sampler)
    probe.start()
    if sampler is not None:
        sampler.start()

    profile = profile_for(sim)
    window.repository.add_transient(profile)
    window.repository.set_transient_password(profile.id, Secret(sim.info.password))
    opened_at = time.monotonic()
    window.open_connection(profile)
    model = window.cluster_pane.model
    await wait_for(lambda: model.rowCount() == SERVERS, FIRST_DATA_TIMEOUT_S, "the first snapshot")
    first_data_s = time.monotonic() - opened_at
    print(f"{SERVERS} rows after {first_data_s:.1f} s; warming up", flush=True)
    await sleep_with_progress(args.warmup_seconds - first_data_s, "warm-up", sim)
    paints = PaintCounter(
        {
            "load graph": window.load_views.graph.plot_widget.viewport(),
            "servers table": table.viewport(),
            "overview strip": window.cluster_pane.overview,
        }
    )

    sim_cpu_before = process_cpu_seconds(sim.proc.pid) if sim.proc is not None else 0.0
    rss_after_warmup = vm_rss_bytes()
    counters.snapshots = counters.health_updates = 0
    counters.states[:] = counters.states[-1:]
    probe.reset()
    paints.reset()
    if sampler is not None:
        sampler.reset()
    profiler = cProfile.Profile() if args.profile is not None else None
    cpu_before, wall_before = cpu_seconds(), time.monotonic()
    if profiler is not None:
        profiler.enable()
    await sleep_with_progress(args.minutes * 60 - args.warmup_seconds, "measuring", sim)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    cpu, wall = cpu_seconds() - cpu_before, time.monotonic() - wall_before
    sim_cpu = (process_cpu_seconds(sim.proc.pid) if sim.proc is not None else 0.0) - sim_cpu_before
    rss_end = vm_rss_bytes()
    late = list(probe.late_ms)
    probe.stop()
    if sampler is not None:
        sampler.stop()
        print_stall_profile(sampler)

    header = table.horizontalHeader()
    figures: dict[str, Any] = {
        "load_dock_shown": window.load_views.dock.isVisible(),
        "window_size": [window.width(), window.height()],
        "rows": model.rowCount(),
        "sorted_by": Column(header.sortIndicatorSection()).name,
        "sort_descending": header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
        "first_data_seconds": first_data_s,
        "measured_wall_seconds": wall,
        "measured_cpu_seconds": cpu,
        "cpu_percent": 100 * cpu / wall,
        "simulator_cpu_percent": 100 * sim_cpu / wall,
        "snapshots": counters.snapshots,
        "health_updates": counters.health_updates,
        "state_changes": list(counters.states),
        "probe_ticks": len(late),
        "probe_ticks_expected": round(wall * 1000 / PROBE_INTERVAL_MS),
        "stall_max_ms": max(late, default=0.0),
        "stall_p99_ms": percentile(late, 0.99),
        "stall_p999_ms": percentile(late, 0.999),
        "stalls_over_50ms": sum(1 for value in late if value > STALL_MS),
        "rss_start": rss_start,
        "rss_after_warmup": rss_after_warmup,
        "rss_end": rss_end,
        "paints": dict(paints.counts),
    }
    await close_window(window)
    for parentless in (services.repository, services.runner, services.settings.qsettings):
        shiboken6.delete(parentless)
    return figures


def _note_state(counters: Counters, status: MonitorStatus) -> None:
    """Record the connection state when it differs from the last one recorded."""
    name = status.state.name
    if not counters.states or counters.states[-1] != name:
        counters.states.append(name)


def _count(counters: Counters, name: str) -> None:
    setattr(counters, name, getattr(counters, name) + 1)


async def close_window(window: MainWindow) -> None:
    """Quit through the window's real asynchronous shutdown and wait until it is done."""
    window.quit()
    await wait_for(lambda: window.closed, SHUTDOWN_TIMEOUT_S, "the window's shutdown")


def use_offscreen_screen(workdir: Path) -> None:
    """Make Qt draw offscreen on one ``SCREEN``-sized screen (before the QApplication)."""
    config = workdir / "offscreen.json"
    config.write_text(json.dumps({"screens": [{**SCREEN, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    use_offscreen_screen(workdir)
    qt_app = create_application()
    loop = qasync.QEventLoop(qt_app)
    sim = SimulatorProcess(workdir / "sim", SIMULATOR_ARGS)
    try:
        sim.start()
        print(
            f"simulator ready: {SERVERS} servers, {len(sim.info.endpoints)} endpoints; "
            f"{args.minutes:g} min with {args.warmup_seconds:g} s warm-up",
            flush=True,
        )
        figures: dict[str, Any] = loop.run_until_complete(measure_window(args, sim, workdir))
    finally:
        sim.stop()
        loop.close()
    return {
        "machine": machine_description(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_average_at_end": load_average(),
        **figures,
    }


def print_summary(result: dict[str, Any]) -> None:
    def verdict(met: bool) -> str:
        return "met" if met else "MISSED"

    cpu, stalls = result["cpu_percent"], result["stalls_over_50ms"]
    width, height = result["window_size"]
    print(
        f"\n{result['machine']}; revision {result['revision']}; load at end "
        f"{result['load_average_at_end'][0]:.2f}\n"
        f"main window {width} x {height}, Load dock "
        f"{'shown' if result['load_dock_shown'] else 'hidden'}, {result['rows']} rows sorted by "
        f"{result['sorted_by']} {'descending' if result['sort_descending'] else 'ascending'}; "
        f"first data after {result['first_data_seconds']:.1f} s\n"
        f"measured {result['measured_wall_seconds'] / 60:.2f} min: {result['snapshots']} "
        f"snapshots, {result['health_updates']} health updates, connection states "
        f"{' -> '.join(result['state_changes']) or 'none'}; simulator "
        f"{result['simulator_cpu_percent']:.1f} % of a core\n"
        f"console CPU        {cpu:6.2f} % of one core (target < {CPU_TARGET_PERCENT:g} %: "
        f"{verdict(cpu < CPU_TARGET_PERCENT)})\n"
        f"event-loop stalls  max {result['stall_max_ms']:.1f} ms, p99 "
        f"{result['stall_p99_ms']:.1f} ms, p99.9 {result['stall_p999_ms']:.1f} ms; "
        f"{stalls} over {STALL_MS:g} ms (target none: {verdict(stalls == 0)}); "
        f"{result['probe_ticks']} ticks of {result['probe_ticks_expected']} due\n"
        f"console RSS        {result['rss_start'] / MB:.1f} MB at start-up, "
        f"{result['rss_after_warmup'] / MB:.1f} MB after warm-up, "
        f"{result['rss_end'] / MB:.1f} MB at the end\n"
        "paints per snapshot: "
        + ", ".join(
            f"{name} {count / max(result['snapshots'], 1):.2f}"
            for name, count in sorted(result["paints"].items())
        )
    )


def print_profile(stats_file: Path, lines: int = 25) -> None:
    """The busiest functions of a profiled run, by own time and by cumulative time."""
    print(f"\nprofiled run (CPU figures above are inflated by cProfile): {stats_file}")
    stats = pstats.Stats(str(stats_file)).strip_dirs()
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)


def window_revision() -> str:
    """``source_revision`` with ``+ui-changes`` when tracked files in ``ui/`` differ too."""
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", "ui"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return source_revision() + ("+ui-changes" if done.stdout.strip() else "")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_window",
        description="CPU and event-loop stalls of the main window showing 1,000 servers.",
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="whole run (default 5)")
    parser.add_argument(
        "--warmup-seconds", type=float, default=30.0, help="not measured (default 30)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the measured period under cProfile, save the statistics here and print "
        "the busiest functions (the CPU figures are then inflated)",
    )
    parser.add_argument(
        "--stall-profile",
        action="store_true",
        help="sample the GUI thread's stack during stalls and print where they spent it",
    )
    parser.add_argument(
        "--hide-load-dock",
        action="store_true",
        help="hide the Load dock (its graph) to measure the rest of the window alone",
    )
    parser.add_argument(
        "--no-second-freeze",
        action="store_true",
        help="do not freeze the objects allocated by opening the cluster (as before)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temp dir)")
    args = parser.parse_args()
    if not 0 < args.warmup_seconds < args.minutes * 60:
        parser.error("--warmup-seconds must be positive and shorter than --minutes")
    return args


def main() -> None:
    args = parse_args()
    if args.profile is not None:
        args.profile = args.profile.resolve()
    result = run_in_scratch(args, "bench-window-", run, window_revision())
    print_summary(result)
    if args.profile is not None:
        print_profile(args.profile)


if __name__ == "__main__":
    main()
