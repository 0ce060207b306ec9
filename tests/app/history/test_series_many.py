"""Several lines read at once equal the same lines read one at a time.

``HistoryStore.series_many`` and ``sparklines`` read the raw tier once for every line
asked (the Load graph's 25 lines, the sparklines of the rows on screen); the reference
is ``series``, ``total_series`` and ``sparkline``, one line per call. Servers join,
leave and come back at random, the raw tier overflows into the minute tier, and the
windows asked fall inside, across and outside what is held.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.models import ServerStatus
from app.history import HistoryStore
from app.history.downsample import Series, downsample, downsample_columns
from tests.app.history.snapshots import server, snapshot
from tests.app.history.test_whole_poll import START

SERVERS = 5
IDS = [f"as-{n + 1:02d}" for n in range(SERVERS)] + ["as-99"]  # as-99 is never listed

polls = st.lists(
    st.tuples(
        st.sampled_from([0.5, 1.0, 7.0, 61.0]),
        st.lists(st.one_of(st.none(), st.integers(0, 5000)), min_size=SERVERS, max_size=SERVERS),
    ),
    min_size=1,
    max_size=50,
)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def same(got: Series, want: Series) -> bool:
    return got.t.tolist() == want.t.tolist() and got.y.tolist() == want.y.tolist()


def fed(
    plan: list[tuple[float, list[int | None]]], raw_capacity: int
) -> tuple[HistoryStore, Clock]:
    clock = Clock(START)
    store = HistoryStore(clock=clock, raw_capacity=raw_capacity)
    for gap, listed in plan:
        clock.now += gap
        servers = [
            server(n + 1, clients=clients, status=ServerStatus.ONLINE)
            for n, clients in enumerate(listed)
            if clients is not None
        ]
        store.record("c1", snapshot(*servers), clock.now)
    return store, clock


@settings(max_examples=150, deadline=None)
@given(
    plan=polls,
    raw_capacity=st.integers(1, 60),
    back=st.sampled_from([0.0, 3.0, 30.0, 200.0, 5000.0]),
    span=st.sampled_from([1.0, 10.0, 100.0, 1000.0]),
    max_points=st.sampled_from([2, 3, 8, 2000]),
    chosen=st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True),
)
def test_many_lines_equal_one_line_at_a_time(
    plan: list[tuple[float, list[int | None]]],
    raw_capacity: int,
    back: float,
    span: float,
    max_points: int,
    chosen: list[str],
) -> None:
    store, clock = fed(plan, raw_capacity)
    end = clock.now - back
    start = end - span
    got = store.series_many("c1", chosen, start, end, max_points, total=True)
    want = [store.total_series("c1", start, end, max_points)] + [
        store.series("c1", server_id, start, end, max_points) for server_id in chosen
    ]
    assert len(got) == len(want)
    for got_line, want_line in zip(got, want, strict=True):
        assert same(got_line, want_line)
    without_total = store.series_many("c1", chosen, start, end, max_points)
    assert all(same(g, w) for g, w in zip(without_total, want[1:], strict=True))


@settings(max_examples=80, deadline=None)
@given(
    plan=polls,
    seconds=st.sampled_from([5.0, 60.0, 300.0]),
    chosen=st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True),
)
def test_sparklines_equal_one_sparkline_at_a_time(
    plan: list[tuple[float, list[int | None]]], seconds: float, chosen: list[str]
) -> None:
    store, _clock = fed(plan, 7200)
    got = store.sparklines("c1", chosen, seconds, max_points=6)
    want = [store.sparkline("c1", server_id, seconds, max_points=6) for server_id in chosen]
    assert [values.tolist() for values in got] == [values.tolist() for values in want]


def test_an_unknown_connection_gives_empty_lines() -> None:
    store = HistoryStore(clock=Clock(START))
    lines = store.series_many("nobody", ["as-01"], 0.0, math.inf, total=True)
    assert [len(line.t) for line in lines] == [0, 0]
    assert [len(values) for values in store.sparklines("nobody", ["as-01"], 300.0)] == [0]


@settings(max_examples=100, deadline=None)
@given(
    count=st.integers(2, 120),
    columns=st.integers(1, 5),
    max_points=st.integers(2, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_columns_downsampled_together_equal_each_on_its_own(
    count: int, columns: int, max_points: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.1, 3.0, count)) + START
    values = rng.integers(0, 6, (count, columns)).astype(np.int32)  # many ties
    got = downsample_columns(t, values, max_points)
    for column, line in enumerate(got):
        want = downsample(Series(t, values[:, column].astype(np.float64)), max_points)
        assert same(line, want)
