"""HistoryStore on disk: restart round trips, retention, and damaged files."""

from __future__ import annotations

import contextlib
import math
import os
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from app.api.models import ServerStatus
from app.history import HistoryStore, tables
from app.history.database import APPLICATION_ID
from app.history.rollup import MINUTE_S
from app.history.writer import KEEP_S, RAW_KEEP_S
from tests.app.history.snapshots import T0, cluster, server, snapshot

A, B = "conn-a", "conn-b"
HOUR = 3600.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def run_polls(
    store: HistoryStore, clock: Clock, start: float, seconds: float, every: float
) -> None:
    rng = random.Random(int(start))
    for offset in np.arange(0.0, seconds, every):
        clock.now = start + float(offset)
        counts = [rng.randrange(0, 80) for _ in range(3)]
        status = ServerStatus.OFFLINE if int(offset) % 1800 < 60 else ServerStatus.ONLINE
        store.record(A, cluster(counts, as_03=status), clock.now)


def tiers(store: HistoryStore, connection_id: str, key: str) -> tuple[dict, dict]:
    series = store._connections[connection_id].series[key]
    return series.minute_window(-math.inf, math.inf), series.raw_window(-math.inf, math.inf)


@contextlib.contextmanager
def plain_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection of the test's own, committed and CLOSED at the end of the block.

    sqlite3's own ``with connection:`` only commits: the file would stay open until the
    garbage collector ends the connection, and Windows refuses to rename an open file.
    """
    db = sqlite3.connect(path)
    try:
        with db:
            yield db
    finally:
        db.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


def test_a_restart_brings_back_both_tiers_events_and_the_open_minute(path: Path) -> None:
    clock = Clock()
    store, notice = HistoryStore.open(path, clock=clock)
    assert notice is None
    run_polls(store, clock, T0, 3 * HOUR + 25, every=2.0)  # ends 25 s into a minute
    store.record_action(A, "as-02", clock.now, "Isolation requested by you")
    before = {key: tiers(store, A, key) for key in ("as-01", "as-02", "as-03", "")}
    events = store.events(A, 0, math.inf)
    assert len(events) > 5
    store.close()

    again, notice = HistoryStore.open(path, clock=clock)
    assert notice is None
    assert again.servers(A) == store.servers(A)
    assert again.events(A, 0, math.inf) == events
    for key, (minutes, raw) in before.items():
        got_minutes, got_raw = tiers(again, A, key)
        for name in minutes:
            np.testing.assert_array_equal(got_minutes[name], minutes[name], err_msg=name)
        recent = raw["t"] >= clock.now - HOUR
        for name in raw:
            np.testing.assert_array_equal(got_raw[name], raw[name][recent], err_msg=name)
    recent_start = clock.now - HOUR + 60  # both answer from the raw tier here
    np.testing.assert_array_equal(
        again.total_series(A, recent_start, clock.now).y,
        store.total_series(A, recent_start, clock.now).y,
    )

    # The minute open at shutdown carries on and is stored once it closes.
    open_minute = math.floor(clock.now / MINUTE_S) * MINUTE_S
    clock.now += 20
    again.record(A, cluster([1, 2, 3]), clock.now)
    clock.now += 30
    again.record(A, cluster([1, 2, 3]), clock.now)
    minutes, _ = tiers(again, A, "as-01")
    assert minutes["t"][-2] == open_minute
    assert minutes["count"][-2] == 13 + 1  # 13 samples before the restart, one after
    again.close()
    third, _ = HistoryStore.open(path, clock=clock)
    stored, _ = tiers(third, A, "as-01")
    assert stored["count"][stored["t"] == open_minute].tolist() == [14]
    third.close()


def test_only_the_last_day_is_loaded(path: Path) -> None:
    clock = Clock()
    store, _ = HistoryStore.open(path, clock=clock)
    run_polls(store, clock, T0, 600, every=10.0)
    run_polls(store, clock, T0 + 2 * 86_400, 600, every=10.0)
    store.close()
    again, _ = HistoryStore.open(path, clock=clock)
    minutes, _ = tiers(again, A, "as-01")
    assert minutes["t"][0] >= clock.now - 86_400
    assert len(minutes["t"]) == 10
    again.close()


def test_old_rows_are_deleted(path: Path) -> None:
    clock = Clock()
    store, _ = HistoryStore.open(path, clock=clock)
    store.record(B, cluster([5]), T0)  # a connection not seen again
    run_polls(store, clock, T0, 2 * HOUR, every=30.0)
    store.flush()
    run_polls(store, clock, T0 + 8 * 86_400, 2 * HOUR, every=30.0)
    store.flush()
    with plain_connection(path) as db:
        connections = {row[0] for row in db.execute("SELECT connection_id FROM series")}
        oldest_minute = db.execute("SELECT min(t) FROM minute").fetchone()[0]
        oldest_raw = db.execute("SELECT min(t) FROM raw").fetchone()[0]
        oldest_event = db.execute("SELECT min(t) FROM event").fetchone()[0]
    assert connections == {A}
    assert oldest_minute >= T0 + 8 * 86_400
    assert oldest_minute >= clock.now - KEEP_S
    assert oldest_event >= T0 + 8 * 86_400
    assert oldest_raw >= clock.now - RAW_KEEP_S - 300  # pruned every 300 s of clock time
    store.close()


def test_forget_removes_a_connection_from_disk(path: Path) -> None:
    clock = Clock()
    store, _ = HistoryStore.open(path, clock=clock)
    store.record(A, cluster([1]), T0)
    store.record(B, cluster([2]), T0)
    store.forget(A)
    store.close()
    again, _ = HistoryStore.open(path, clock=clock)
    assert again.connections() == [B]
    again.close()


async def test_load_async_reads_on_the_writer_thread(path: Path) -> None:
    clock = Clock()
    store, _ = HistoryStore.open(path, clock=clock)
    store.record(A, snapshot(server(1, clients=4)), T0)
    store.close()
    again, _ = HistoryStore.open(path, clock=clock, load_s=None)
    assert again.connections() == []
    assert await again.load_async() is None
    assert again.series(A, "as-01", T0, T0).y.tolist() == [4]
    with pytest.raises(RuntimeError):
        again.load()
    again.close()


# -- damaged files ----------------------------------------------------------------------------
def make_history(path: Path) -> None:
    clock = Clock()
    store, _ = HistoryStore.open(path, clock=clock)
    run_polls(store, clock, T0, HOUR, every=2.0)
    store.close()


def random_bytes(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(5).randbytes(50_000))


def truncated(path: Path) -> None:
    make_history(path)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


def damaged_pages(path: Path) -> None:
    make_history(path)
    page = 4096
    with path.open("r+b") as file:
        file.seek(2 * page)
        file.write(random.Random(9).randbytes(6 * page))


def foreign_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with plain_connection(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")


def newer_schema(path: Path) -> None:
    make_history(path)
    with plain_connection(path) as db:
        db.execute("PRAGMA user_version = 99")
    assert APPLICATION_ID  # the file still claims to be history


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (random_bytes, "not a database"),
        (truncated, "malformed"),
        (damaged_pages, "damaged"),
        (foreign_database, "not a console history file"),
    ],
)
def test_a_damaged_file_is_set_aside_and_replaced(
    path: Path, damage: Callable[[Path], None], reason: str
) -> None:
    damage(path)
    original = path.read_bytes()
    clock = Clock(T0 + HOUR)
    store, notice = HistoryStore.open(path, clock=clock)
    assert notice is not None
    assert "could not be used" in notice
    assert reason in notice
    assert "\n" not in notice
    kept = [
        p
        for p in path.parent.iterdir()
        if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(kept) == 1
    assert kept[0].name in notice
    assert kept[0].read_bytes() == original
    assert store.connections() == []

    store.record(A, cluster([3]), clock.now)
    store.close()
    again, notice = HistoryStore.open(path, clock=clock)
    assert notice is None
    assert again.series(A, "as-01", clock.now, clock.now).y.tolist() == [3]
    again.close()


def test_a_file_that_cannot_be_opened_leaves_history_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.mkdir()  # a folder where the file should be
    store, notice = HistoryStore.open(path, clock=Clock())
    assert notice is not None
    assert "memory only" in notice
    assert store.record(A, cluster([3]), T0)
    assert store.series(A, "as-01", T0, T0).y.tolist() == [3]
    store.flush()
    store.close()
    assert os.listdir(path) == []


def test_damage_found_while_writing_replaces_the_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    store, _ = HistoryStore.open(path, clock=clock)
    store.record(A, cluster([1]), T0)
    store.flush()
    real_write = tables.write

    def failing_write(*args: object) -> None:
        monkeypatch.setattr(tables, "write", real_write)  # only this one batch fails
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(tables, "write", failing_write)
    store.record(A, cluster([2]), T0 + 2)
    store.flush()
    assert store.problem is not None
    assert "kept as history.sqlite3.corrupt-" in store.problem
    store.record(A, cluster([3]), T0 + 4)
    store.close()
    again, notice = HistoryStore.open(path, clock=clock)
    assert notice is None
    assert again.series(A, "as-01", T0, T0 + 10).y.tolist() == [3]  # the new file's rows
    again.close()


def test_a_failing_disk_is_reported_not_raised(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = HistoryStore.open(path, clock=Clock())

    def full_disk(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(tables, "write", full_disk)
    assert store.record(A, cluster([2]), T0)
    store.flush()
    assert store.problem == "The load history could not be saved: database or disk is full."
    assert store.series(A, "as-01", T0, T0).y.tolist() == [2]  # memory is unaffected
    store.close()


def test_a_newer_schema_is_left_alone_and_history_kept_in_memory(path: Path) -> None:
    """A downgrade must not lose the newer console's history (see test_newer_file)."""
    newer_schema(path)
    original = path.read_bytes()
    store, notice = HistoryStore.open(path, clock=Clock(T0 + HOUR))
    assert notice is not None
    assert "newer version" in notice
    assert path.read_bytes() == original
    assert not [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
    store.close()
