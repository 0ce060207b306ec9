"""Benchmark: load history of 100 servers, in memory, on disk and in graph queries.

Run: ``.venv/bin/python -m tests.bench.bench_history [--servers 100] [--repeat 20]``.

1. A history file is written with 7 days of 1-minute rows and the last hour of 1 s raw
   samples for ``--servers`` servers and their cluster total (random walks), and
   ``HistoryStore.open`` loads all 7 days. Figures: the numpy bytes of the buffers, the
   Python allocations the store holds (tracemalloc, numpy included) and the RSS growth
   (target < 100 MB); later, untraced, the open time (file check and load) for the
   default last day and for all 7 days.
2. The 7-day view: every server's ``series`` over 7 days at 2,000 points plus the
   total, ``--repeat`` times; median and worst wall time of one whole view (target
   well under 50 ms).
3. Recording: an hour of 1 s polls of the whole cluster through ``record`` with the
   writer thread running; figures: the caller's time per poll and how long the final
   ``flush`` waited (the writer keeps up when it is near zero).
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from app.api.models import ClusterInfo, ClusterSnapshot, Server, ServerStatus
from app.history import HistoryStore
from app.history.database import HISTORY_FILE, open_checked
from app.history.rollup import MINUTE_S
from tests.bench.measure import MB, load_average, machine_description, source_revision, vm_rss_bytes

CONNECTION = "7d0c4f5e-0d7b-4f39-9d4b-5b0f3f1e2a77"
DAY_S = 86_400.0
MEMORY_TARGET_MB = 100.0
VIEW_TARGET_MS = 50.0
MAX_POINTS = 2000


def walks(count: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` random walks of Clients counts in [0, 400]."""
    steps = rng.integers(-3, 4, size=(count, length))
    return np.clip(200 + np.cumsum(steps, axis=1), 0, 400).astype(np.int64)


def minute_rows(series_id: int, start: float, values: np.ndarray) -> Iterator[tuple]:
    for index, value in enumerate(values.tolist()):
        yield (series_id, start + index * MINUTE_S, value - 2, value + 2, value * 60, 60, 1, 1)


def raw_rows(series_id: int, start: float, values: np.ndarray) -> Iterator[tuple]:
    for index, value in enumerate(values.tolist()):
        yield (series_id, start + index, value, 1)


def write_history(path: Path, servers: int, now: float) -> None:
    """A history file as a console would leave it after a week with ``servers`` servers."""
    rng = np.random.default_rng(7)
    minutes = int(7 * DAY_S / MINUTE_S) - 1
    minute_start = (now // MINUTE_S) * MINUTE_S - 7 * DAY_S + MINUTE_S
    raw_start = now - 3600.0
    per_minute = walks(servers, minutes, rng)
    per_second = walks(servers, 3600, rng)
    connection = open_checked(path)
    connection.execute("BEGIN")
    keys = [(f"as-{n:03d}", f"EKRAN-AS{n:03d}") for n in range(1, servers + 1)] + [("", "Prod")]
    for series_id, (key, name) in enumerate(keys, start=1):
        connection.execute(
            "INSERT INTO series (id, connection_id, server_id, name) VALUES (?, ?, ?, ?)",
            (series_id, CONNECTION, key, name),
        )
        low = per_minute.sum(axis=0) if key == "" else per_minute[series_id - 1]
        high = per_second.sum(axis=0) if key == "" else per_second[series_id - 1]
        connection.executemany(
            "INSERT INTO minute VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            minute_rows(series_id, minute_start, low),
        )
        connection.executemany(
            "INSERT INTO raw VALUES (?, ?, ?, ?)", raw_rows(series_id, raw_start, high)
        )
    connection.execute("COMMIT")
    connection.close()


def time_open(path: Path, now: float, load_s: float) -> float:
    """Seconds for ``HistoryStore.open`` (check and load of ``load_s``), untraced."""
    started = time.perf_counter()
    store, notice = HistoryStore.open(path, clock=lambda: now, load_s=load_s)
    elapsed = time.perf_counter() - started
    store.close()
    if notice:
        raise SystemExit(f"unexpected notice: {notice}")
    return elapsed


def measure_load(path: Path, now: float) -> tuple[HistoryStore, dict[str, float]]:
    gc.collect()
    rss_before = vm_rss_bytes()
    tracemalloc.start()
    store, notice = HistoryStore.open(path, clock=lambda: now, load_s=7 * DAY_S)
    gc.collect()
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if notice:
        raise SystemExit(f"unexpected notice: {notice}")
    return store, {
        "nbytes_mb": store.nbytes / MB,
        "traced_mb": traced / MB,
        "rss_mb": (vm_rss_bytes() - rss_before) / MB,
    }


def measure_view(store: HistoryStore, now: float, repeat: int) -> list[float]:
    servers = list(store.servers(CONNECTION))
    times: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        points = 0
        for server_id in servers:
            points += len(store.series(CONNECTION, server_id, now - 7 * DAY_S, now, MAX_POINTS).t)
        points += len(store.total_series(CONNECTION, now - 7 * DAY_S, now, MAX_POINTS).t)
        times.append(time.perf_counter() - started)
        assert points <= (len(servers) + 1) * MAX_POINTS
    return times


def snapshot(servers: int, clients: np.ndarray, now: float) -> ClusterSnapshot:
    stamp = np.datetime64(int(now), "s").astype(object)
    return ClusterSnapshot.model_construct(
        cluster=ClusterInfo.model_construct(name="Prod", generated_at=stamp),
        servers=tuple(
            Server.model_construct(
                id=f"as-{n:03d}",
                name=f"EKRAN-AS{n:03d}",
                address="10.0.0.1",
                status=ServerStatus.ONLINE,
                clients=int(clients[n - 1]),
                isolation=None,
                last_seen=stamp,
            )
            for n in range(1, servers + 1)
        ),
        etag=None,
        received_at=stamp,
        source_url="https://as001.corp.example/EkranSystem",
        changed=True,
    )


def measure_recording(folder: Path, servers: int, now: float) -> dict[str, float]:
    clock = [now]
    store, _ = HistoryStore.open(folder / "record.sqlite3", clock=lambda: clock[0], load_s=None)
    rng = np.random.default_rng(3)
    counts = walks(servers, 3600, rng)
    snapshots = [snapshot(servers, counts[:, second], now) for second in range(3600)]
    spent = 0.0
    for second, item in enumerate(snapshots):
        clock[0] = now + second
        started = time.perf_counter()
        store.record(CONNECTION, item, clock[0])
        spent += time.perf_counter() - started
    started = time.perf_counter()
    store.flush()
    flush_s = time.perf_counter() - started
    store.close()
    with sqlite3.connect(folder / "record.sqlite3") as db:
        rows = db.execute("SELECT count(*) FROM raw").fetchone()[0]
    return {"record_ms": spent / 3600 * 1000, "flush_s": flush_s, "raw_rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine_description()}; load average {load_average()}")
    print(f"source: {source_revision()}; {args.servers} servers")
    now = 1_796_000_000.0
    with tempfile.TemporaryDirectory(prefix="bench-history-") as name:
        folder = Path(name)
        path = folder / HISTORY_FILE
        started = time.perf_counter()
        write_history(path, args.servers, now)
        size = path.stat().st_size
        print(f"history file: {size / MB:.1f} MB written in {time.perf_counter() - started:.1f} s")

        store, load = measure_load(path, now)
        verdict = "ok" if max(load["traced_mb"], load["rss_mb"]) < MEMORY_TARGET_MB else "OVER"
        print(
            f"memory after loading 7 days: buffers {load['nbytes_mb']:.1f} MB "
            f"(numpy), {load['traced_mb']:.1f} MB traced (Python + numpy), RSS "
            f"+{load['rss_mb']:.1f} MB; target < {MEMORY_TARGET_MB:.0f} MB: {verdict}"
        )

        views = measure_view(store, now, args.repeat)
        median_ms = statistics.median(views) * 1000
        verdict = "ok" if median_ms < VIEW_TARGET_MS else "OVER"
        print(
            f"7-day view, {args.servers} series + total at {MAX_POINTS} points: median "
            f"{median_ms:.1f} ms, worst {max(views) * 1000:.1f} ms; target < "
            f"{VIEW_TARGET_MS:.0f} ms: {verdict}"
        )
        store.close()

        day, week = time_open(path, now, DAY_S), time_open(path, now, 7 * DAY_S)
        print(f"open (check + load): last 24 h {day:.2f} s, all 7 days {week:.2f} s")

        recording = measure_recording(folder, args.servers, now)
        print(
            f"recording 1 h of 1 s polls: {recording['record_ms']:.2f} ms per poll in the "
            f"caller; final flush waited {recording['flush_s']:.2f} s; "
            f"{recording['raw_rows']} raw rows on disk"
        )


if __name__ == "__main__":
    main()
