"""The 1-minute tier against the raw samples it was built from (property tests)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.history.rollup import MINUTE_DTYPES, MINUTE_S, MinuteRow
from app.history.series import SeriesHistory

START = 29_916_667 * MINUTE_S  # a whole minute (2026-11-18)

# Gaps that land on minute boundaries, just before and after them, and across hours.
gaps = st.one_of(
    st.sampled_from([0.5, 1.0, 2.0, 29.5, 30.0, 59.5, 60.0, 60.5, 120.0, 3600.0]),
    st.floats(0.001, 400.0),
)
samples = st.lists(
    st.tuples(gaps, st.integers(0, 50_000), st.integers(1, 6)), min_size=1, max_size=300
)


def expected_minutes(times: np.ndarray, clients: list[int], statuses: list[int]) -> list[dict]:
    """Minute rows computed straight from the samples, with no ring or accumulator."""
    rows: dict[float, dict] = {}
    for index, t in enumerate(times):
        minute = math.floor(t / MINUTE_S) * MINUTE_S
        rows.setdefault(minute, {"t": minute, "values": [], "status": 0})
        rows[minute]["values"].append(clients[index])
        rows[minute]["status"] = statuses[index]
    result = []
    for row in rows.values():
        values = row["values"]
        low, high = min(values), max(values)
        result.append(
            {
                "t": row["t"],
                "low": low,
                "high": high,
                "total": sum(values),
                "count": len(values),
                "average": float(np.mean(values)),
                "status": row["status"],
                "rising": values.index(low) <= values.index(high),
            }
        )
    return result


@settings(max_examples=150, deadline=None)
@given(samples=samples, raw_capacity=st.integers(1, 50))
def test_minute_rows_equal_the_rows_computed_from_the_raw_samples(
    samples: list[tuple[float, int, int]], raw_capacity: int
) -> None:
    times = START + np.cumsum([gap for gap, _, _ in samples])
    clients = [count for _, count, _ in samples]
    statuses = [status for _, _, status in samples]
    series = SeriesHistory("EKRAN-AS01", raw_capacity=raw_capacity, minute_capacity=10_080)
    closed = []
    for t, count, status in zip(times, clients, statuses, strict=True):
        row = series.add(float(t), count, status)
        if row is not None:
            closed.append(row)

    got = series.minute_window(-math.inf, math.inf)
    want = expected_minutes(times, clients, statuses)
    assert [row.t for row in closed] == [row["t"] for row in want[:-1]]  # each closed once
    assert got["t"].tolist() == [row["t"] for row in want]
    for name in ("low", "high", "total", "count", "status", "rising"):
        assert got[name].tolist() == [row[name] for row in want], name
    np.testing.assert_allclose(got["total"] / got["count"], [row["average"] for row in want])
    assert int(got["count"].sum()) == len(samples)  # nothing lost, nothing counted twice
    raw = series.raw_window(-math.inf, math.inf)  # the raw ring keeps the newest samples
    np.testing.assert_array_equal(raw["t"], times[-raw_capacity:])
    assert raw["clients"].tolist() == clients[-raw_capacity:]


@settings(max_examples=60, deadline=None)
@given(minutes=st.integers(1, 40), capacity=st.integers(1, 15))
def test_the_minute_ring_keeps_the_newest_minutes(minutes: int, capacity: int) -> None:
    series = SeriesHistory("EKRAN-AS01", raw_capacity=8, minute_capacity=capacity)
    for minute in range(minutes):
        for second in (0.0, 20.0, 40.0):
            series.add(START + minute * MINUTE_S + second, minute, 1)
    stored = series.minutes.all()
    closed = minutes - 1  # the last minute is still open
    assert stored["t"].tolist() == [
        START + m * MINUTE_S for m in range(max(0, closed - capacity), closed)
    ]
    assert set(stored["count"].tolist()) <= {3}
    window = series.minute_window(-math.inf, math.inf)
    assert window["t"][-1] == START + (minutes - 1) * MINUTE_S  # the open minute is shown


def test_a_sample_must_be_later_than_everything_held() -> None:
    series = SeriesHistory("EKRAN-AS01", raw_capacity=4, minute_capacity=4)
    series.add(START + 10, 5, 1)
    assert not series.accepts(START + 10)
    assert not series.accepts(START + 5)
    assert series.accepts(START + 10.5)


def test_a_minute_row_lists_its_values_in_the_column_order() -> None:
    row = MinuteRow(t=60.0, low=1, high=9, total=20, count=4, status=2, rising=False)
    assert row.as_values() == tuple(row.as_dict()[name] for name in MINUTE_DTYPES)
