"""HistoryStore in memory: recording polls, tiers, totals, events and sparklines."""

from __future__ import annotations

import random

import numpy as np
import pytest

from app.api.models import Server, ServerStatus
from app.history import EventKind, HistoryStore
from app.history.rollup import MINUTE_S
from tests.app.history.snapshots import T0, cluster, server, snapshot

CID = "6f1c2b1e-3d44-4b6f-9a55-0c1f5f3e2a10"


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_every_server_and_the_total_get_one_sample_per_poll() -> None:
    store = HistoryStore(clock=Clock(T0 + 100))
    for step, counts in enumerate([[10, 20, 30], [11, 19, 0], [12, 25, 3]]):
        assert store.record(CID, cluster(counts), T0 + 2 * step)
    t, y = store.series(CID, "as-02", T0, T0 + 100)
    assert t.tolist() == [T0, T0 + 2, T0 + 4]
    assert y.tolist() == [20, 19, 25]
    assert store.total_series(CID, T0, T0 + 100).y.tolist() == [60, 30, 40]
    assert store.servers(CID) == {
        "as-01": "EKRAN-AS01",
        "as-02": "EKRAN-AS02",
        "as-03": "EKRAN-AS03",
    }
    assert store.connections() == [CID]


def test_an_unchanged_poll_repeats_the_last_values() -> None:
    store = HistoryStore()
    assert not store.record_unchanged(CID, T0)  # nothing to repeat yet
    store.record(CID, cluster([7, 8]), T0)
    assert store.record_unchanged(CID, T0 + 2)
    assert store.series(CID, "as-01", T0, T0 + 10).y.tolist() == [7, 7]
    assert store.total_series(CID, T0, T0 + 10).y.tolist() == [15, 15]


def test_a_poll_that_is_not_later_than_the_previous_is_ignored() -> None:
    store = HistoryStore()
    store.record(CID, cluster([7]), T0)
    assert not store.record(CID, cluster([9]), T0)
    assert not store.record(CID, cluster([9]), T0 - 5)
    assert store.series(CID, "as-01", T0 - 10, T0 + 10).y.tolist() == [7]


def test_long_ranges_come_from_the_minute_tier() -> None:
    store = HistoryStore(raw_capacity=100)  # raw holds 200 s at this rate
    polls = np.arange(0, 3 * 3600, 2.0)
    for index, offset in enumerate(polls):
        store.record(CID, cluster([index % 60]), T0 + offset)
    end = T0 + polls[-1]

    recent = store.series(CID, "as-01", end - 100, end)
    assert np.diff(recent.t).tolist() == [2.0] * 50  # raw samples

    long = store.series(CID, "as-01", T0, end, max_points=100_000)
    minutes = (end - T0) // MINUTE_S + 1
    assert len(long.t) == 2 * minutes  # each minute's low and high
    assert set(long.y.tolist()) <= {float(v) for v in range(60)}
    assert long.y.min() == 0
    assert long.y.max() == 59

    short = store.series(CID, "as-01", T0, end, max_points=50)
    assert len(short.t) <= 50
    assert short.y.min() == 0
    assert short.y.max() == 59


def test_servers_that_join_and_leave_keep_their_own_history() -> None:
    store = HistoryStore()
    store.record(CID, snapshot(server(1, clients=5), server(2, clients=6)), T0)
    store.record(CID, snapshot(server(1, clients=5)), T0 + 2)
    store.record(CID, snapshot(server(1, clients=5), server(3, clients=9)), T0 + 4)
    assert store.series(CID, "as-02", T0, T0 + 10).t.tolist() == [T0]
    assert store.series(CID, "as-03", T0, T0 + 10).t.tolist() == [T0 + 4]
    assert store.total_series(CID, T0, T0 + 10).y.tolist() == [11, 5, 14]
    kinds = [(e.kind, e.server_id) for e in store.events(CID, T0, T0 + 10)]
    assert kinds == [(EventKind.REMOVED, "as-02"), (EventKind.ADDED, "as-03")]


def test_status_changes_become_events() -> None:
    store = HistoryStore()
    steps = [
        ServerStatus.ONLINE,
        ServerStatus.ISOLATED,
        ServerStatus.ONLINE,
        ServerStatus.STOPPING,
        ServerStatus.OFFLINE,
        ServerStatus.OFFLINE,
        ServerStatus.STARTING,
        ServerStatus.ONLINE,
    ]
    for index, status in enumerate(steps):
        store.record(CID, snapshot(server(1, status=status)), T0 + index)
    store.record_action(CID, "as-01", T0 + 3.5, "Isolation requested by you")
    events = store.events(CID, T0, T0 + 100)
    assert [(e.at - T0, e.kind) for e in events] == [
        (1, EventKind.ISOLATED),
        (2, EventKind.RETURNED),
        (3, EventKind.STATUS),
        (3.5, EventKind.ACTION),
        (4, EventKind.OFFLINE),
        (6, EventKind.STATUS),
        (7, EventKind.BACK_ONLINE),
    ]
    assert events[4].text == "EKRAN-AS01 went offline"
    assert [e.kind for e in store.events(CID, T0 + 3.5, T0 + 4)] == [
        EventKind.ACTION,
        EventKind.OFFLINE,
    ]
    assert store.events("other", T0, T0 + 100) == []


def test_sparkline_covers_the_last_seconds() -> None:
    clock = Clock()
    store = HistoryStore(clock=clock)
    for step in range(100):
        clock.now = T0 + step
        store.record(CID, cluster([step]), clock.now)
    values = store.sparkline(CID, "as-01", 30)
    assert values.tolist() == [float(v) for v in range(69, 100)]
    assert len(store.sparkline(CID, "as-01", 90, max_points=10)) <= 10
    assert len(store.sparkline(CID, "unknown", 30)) == 0


def test_unknown_series_and_empty_ranges_give_empty_arrays() -> None:
    store = HistoryStore()
    store.record(CID, cluster([1]), T0)
    assert len(store.series(CID, "as-09", T0, T0 + 1).t) == 0
    assert len(store.series("nobody", "as-01", T0, T0 + 1).t) == 0
    assert len(store.series(CID, "as-01", T0 + 1, T0).t) == 0
    assert len(store.total_series(CID, T0 + 5, T0 + 9).t) == 0


def test_listeners_hear_of_every_change() -> None:
    store = HistoryStore()
    heard: list[str] = []
    unsubscribe = store.subscribe(heard.append)
    store.record(CID, cluster([1]), T0)
    store.record_unchanged(CID, T0 + 1)
    store.record_action(CID, None, T0 + 1, "Connection opened")
    unsubscribe()
    store.record(CID, cluster([1]), T0 + 2)
    assert heard == [CID, CID, CID]


def test_memory_is_bounded_and_idle_series_are_dropped_after_seven_days() -> None:
    clock = Clock()
    store = HistoryStore(clock=clock, raw_capacity=10, minute_capacity=20)
    store.record(CID, cluster([1, 2]), T0)
    size = store.nbytes
    for step in range(1, 2000):
        clock.now = T0 + step * 30
        store.record(CID, snapshot(server(1, clients=step)), clock.now)
    assert store.nbytes <= size  # no growth however long it runs
    clock.now += 8 * 86_400
    store.record(CID, snapshot(server(1, clients=1)), clock.now)
    assert "as-02" not in store.servers(CID)
    assert "as-01" in store.servers(CID)


def test_forget_drops_a_connection() -> None:
    store = HistoryStore()
    store.record(CID, cluster([1]), T0)
    store.forget(CID)
    assert store.connections() == []


@pytest.mark.parametrize("bad", [0, 1])
def test_series_needs_room_for_two_points(bad: int) -> None:
    store = HistoryStore()
    store.record(CID, cluster([1]), T0)
    with pytest.raises(ValueError):
        store.series(CID, "as-01", T0, T0 + 1, max_points=bad)


def test_random_polls_read_back_as_recorded() -> None:
    """Every sample of random polls (servers joining and leaving, statuses changing,
    unchanged polls, a clock going back) reads back, and so do the status events."""
    rng = random.Random(3)
    store = HistoryStore(clock=Clock(T0 + 10_000), raw_capacity=400)
    expected: dict[str, list[tuple[float, int]]] = {}
    totals: list[tuple[float, int]] = []
    shown = {n: server(n) for n in range(1, 7)}
    statuses = [ServerStatus.ONLINE, ServerStatus.OFFLINE, ServerStatus.ISOLATED]
    changes = 0
    at, last = T0, None
    recorded: list[Server] = []
    for _poll in range(300):
        at += rng.choice([0.5, 1.0, 1.0, 7.0, -3.0])
        for number in rng.sample(sorted(shown), min(2, len(shown))):
            old = shown[number]
            status = rng.choice(statuses)
            changes += status is not old.status
            shown[number] = server(number, clients=rng.randrange(100), status=status)
        if rng.random() < 0.05 and len(shown) > 2:
            shown.pop(rng.choice(sorted(shown)))
        if rng.random() < 0.05:
            shown[len(shown) + 10] = server(len(shown) + 10)
        accepted = last is None or at > last
        if rng.random() < 0.2 and last is not None:
            assert store.record_unchanged(CID, at) is accepted
            current = recorded
        else:
            current = list(shown.values())
            assert store.record(CID, snapshot(*current), at) is accepted
        if accepted:
            last, recorded = at, current
            for item in current:
                expected.setdefault(item.id, []).append((at, item.clients))
            totals.append((at, sum(item.clients for item in current)))
    for server_id, samples in expected.items():
        t, y = store.series(CID, server_id, T0 - 1, at + 1, max_points=10_000)
        assert list(zip(t.tolist(), y.tolist(), strict=True)) == samples
    total = store.total_series(CID, T0 - 1, at + 1, max_points=10_000)
    assert list(zip(total.t.tolist(), total.y.tolist(), strict=True)) == totals
    status_kinds = {"offline", "back_online", "isolated", "returned", "status"}
    events = store.events(CID, T0 - 1, at + 1)
    assert 0 < sum(1 for event in events if event.kind in status_kinds) <= changes
