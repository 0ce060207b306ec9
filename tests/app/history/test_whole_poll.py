"""A poll is recorded for all servers at once: the same history as each server on its own.

The reference is each server's own samples: its raw rows, and its minute rows computed
straight from them (as ``MinuteAccumulator`` folds one series); the connection writes
each poll as one row for every server. Servers join, leave, come back
and change status at random.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.models import ServerStatus
from app.history import HistoryStore
from app.history.codes import StatusCode
from app.history.connection import TOTAL_KEY, ConnectionHistory
from app.history.rollup import MINUTE_S
from tests.app.history.snapshots import T0, server, snapshot
from tests.app.history.test_tiers import expected_minutes

START = math.floor(T0 / MINUTE_S) * MINUTE_S
STATUSES = [ServerStatus.ONLINE, ServerStatus.ISOLATED, ServerStatus.OFFLINE]
SERVERS = 6

# Per poll: the gap since the previous poll, then per server None (not listed) or
# (Clients, index into STATUSES).
polls = st.lists(
    st.tuples(
        st.sampled_from([0.5, 1.0, 7.0, 30.0, 59.0, 61.0, 200.0]),
        st.lists(
            st.one_of(st.none(), st.tuples(st.integers(0, 5000), st.integers(0, 2))),
            min_size=SERVERS,
            max_size=SERVERS,
        ),
    ),
    min_size=1,
    max_size=60,
)


def feed(history: ConnectionHistory, plan: list[tuple[float, list]]) -> list[float]:
    times = []
    at = START
    for gap, listed in plan:
        at += gap
        servers = [
            server(n + 1, clients=entry[0], status=STATUSES[entry[1]])
            for n, entry in enumerate(listed)
            if entry is not None
        ]
        assert history.record(snapshot(*servers), at) is not None
        times.append(at)
    return times


@settings(max_examples=120, deadline=None)
@given(plan=polls, raw_capacity=st.integers(1, 80))
def test_a_whole_poll_equals_each_server_recorded_on_its_own(
    plan: list[tuple[float, list]], raw_capacity: int
) -> None:
    history = ConnectionHistory("c1", raw_capacity=raw_capacity, minute_capacity=10_080)
    times = feed(history, plan)
    kept_polls = set(times[-raw_capacity:])  # the raw tier holds the newest polls
    for n in range(SERVERS):
        samples = [
            (t, listed[n][0], int(StatusCode.of(STATUSES[listed[n][1]])))
            for t, (_gap, listed) in zip(times, plan, strict=True)
            if listed[n] is not None
        ]
        key = f"as-{n + 1:02d}"
        if not samples:
            assert key not in history.series
            continue
        series = history.series[key]
        got = series.minute_window(-math.inf, math.inf)
        want = expected_minutes(
            np.array([t for t, _, _ in samples]),
            [c for _, c, _ in samples],
            [s for _, _, s in samples],
        )
        for name in ("t", "low", "high", "total", "count", "status", "rising"):
            assert got[name].tolist() == [row[name] for row in want], name
        raw = series.raw_window(-math.inf, math.inf)
        kept = [sample for sample in samples if sample[0] in kept_polls]
        assert raw["t"].tolist() == [t for t, _, _ in kept]
        assert raw["clients"].tolist() == [c for _, c, _ in kept]
        assert raw["status"].tolist() == [s for _, _, s in kept]
        assert series.last_status == samples[-1][2]
        assert series.last_time == samples[-1][0]
    totals = [sum(entry[0] for entry in listed if entry is not None) for _gap, listed in plan]
    total = history.series[TOTAL_KEY].raw_window(-math.inf, math.inf)
    assert total["clients"].tolist() == totals[-raw_capacity:]


@settings(max_examples=60, deadline=None)
@given(plan=polls)
def test_status_and_membership_events_follow_each_server(plan: list[tuple[float, list]]) -> None:
    history = ConnectionHistory("c1")
    times = feed(history, plan)
    want: list[tuple[float, str | None, str]] = []
    last_status: dict[int, ServerStatus] = {}
    listed_before: set[int] | None = None
    for t, (_gap, listed) in zip(times, plan, strict=True):
        listed_now = {n for n, entry in enumerate(listed) if entry is not None}
        for n in sorted(listed_now):
            status = STATUSES[listed[n][1]]
            if n in last_status and last_status[n] != status:
                want.append((t, f"as-{n + 1:02d}", "status"))
            last_status[n] = status
        if listed_before is not None:
            for n in sorted(listed_now - listed_before):
                want.append((t, f"as-{n + 1:02d}", "joined"))
            for n in sorted(listed_before - listed_now):
                want.append((t, f"as-{n + 1:02d}", "left"))
        listed_before = listed_now
    got = history.events(-math.inf, math.inf)
    status_kinds = {"added": "joined", "removed": "left"}
    assert [(e.at, e.server_id, status_kinds.get(e.kind.value, "status")) for e in got] == want


def test_a_repeated_poll_reuses_the_values_and_follows_a_rename() -> None:
    history = ConnectionHistory("c1")
    first = snapshot(server(1, clients=5), server(2, clients=7))
    history.record(first, START + 1)
    batch = history.record_unchanged(START + 2)
    assert batch is not None
    assert batch.polls[0].clients.tolist() == [5, 7, 12]
    assert history.server_names() == {"as-01": "EKRAN-AS01", "as-02": "EKRAN-AS02"}
    renamed = snapshot(server(1, clients=5, name="EKRAN-NEW"), server(2, clients=7))
    batch = history.record(renamed, START + 3)
    assert batch is not None
    assert batch.names == [("as-01", "EKRAN-NEW")]
    assert history.server_names() == {"as-02": "EKRAN-AS02", "as-01": "EKRAN-NEW"}
    assert history.series["as-01"].raw_window(0, math.inf)["clients"].tolist() == [5, 5, 5]


def test_a_server_that_left_keeps_its_open_minute_across_a_restart(tmp_path: Path) -> None:
    """as-02 leaves 10 s into a minute; the others go on into the next minute. After a
    restart every series has all of its samples: as-02's minute is closed and stored."""
    path = tmp_path / "history.sqlite3"
    clock = [START]
    store, _ = HistoryStore.open(path, clock=lambda: clock[0])
    for second in range(0, 75, 5):
        clock[0] = START + second
        listed = [server(1, clients=second), server(3, clients=1)]
        if second <= 10:
            listed.insert(1, server(2, clients=100 + second))
        store.record("c1", snapshot(*listed), clock[0])
    store.close()
    again, _ = HistoryStore.open(path, clock=lambda: clock[0])
    history = again._connections["c1"]
    minutes = history.series["as-02"].minute_window(-math.inf, math.inf)
    assert minutes["t"].tolist() == [START]
    assert minutes["count"].tolist() == [3]
    assert minutes["total"].tolist() == [100 + 105 + 110]
    as01 = history.series["as-01"].minute_window(-math.inf, math.inf)
    assert as01["count"].tolist() == [12, 3]  # the second minute is still open
    clock[0] = START + 80
    again.record("c1", snapshot(server(1, clients=1), server(3, clients=1)), clock[0])
    assert history.series["as-01"].minute_window(-math.inf, math.inf)["count"].tolist() == [
        12,
        4,
    ]
    again.close()
    with sqlite3.connect(path) as db:
        stored = db.execute(
            "SELECT m.count FROM minute m JOIN series s ON s.id = m.series "
            "WHERE s.server_id = 'as-02'"
        ).fetchall()
    db.close()
    assert stored == [(3,)]
