"""RingBuffer: wrapping, time windows, and the strictly increasing time rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.history.ring import RingBuffer

DTYPES = {"t": np.float64, "v": np.int32}


@given(
    capacity=st.integers(1, 12),
    gaps=st.lists(st.floats(0.01, 100.0), min_size=0, max_size=60),
    chunks=st.lists(st.integers(1, 7), min_size=1, max_size=10),
    bounds=st.tuples(st.floats(-10.0, 4000.0), st.floats(-10.0, 4000.0)),
)
def test_keeps_the_newest_rows_in_order_however_they_are_added(
    capacity: int, gaps: list[float], chunks: list[int], bounds: tuple[float, float]
) -> None:
    times = np.cumsum(gaps)
    values = np.arange(len(times), dtype=np.int32)
    ring = RingBuffer(capacity, DTYPES)
    position, turn = 0, 0
    while position < len(times):  # alternate single appends and chunks of varied size
        size = chunks[turn % len(chunks)]
        if turn % 2:
            ring.extend(
                {"t": times[position : position + size], "v": values[position : position + size]}
            )
            position += size
        elif turn % 4:
            ring.append({"t": float(times[position]), "v": int(values[position])})
            position += 1
        else:
            ring.append_values((float(times[position]), int(values[position])))
            position += 1
        turn += 1

    kept = slice(max(0, len(times) - capacity), len(times))
    everything = ring.all()
    assert len(ring) == len(times[kept])
    np.testing.assert_array_equal(everything["t"], times[kept])
    np.testing.assert_array_equal(everything["v"], values[kept])
    start, end = min(bounds), max(bounds)
    inside = (times[kept] >= start) & (times[kept] <= end)
    window = ring.window(start, end)
    np.testing.assert_array_equal(window["t"], times[kept][inside])
    np.testing.assert_array_equal(window["v"], values[kept][inside])
    if len(times):
        assert ring.first_time == times[kept][0]
        assert ring.last_time == times[-1]
        assert ring.last() == {"t": times[-1], "v": values[-1]}


def test_an_empty_ring_has_no_rows() -> None:
    ring = RingBuffer(4, DTYPES)
    assert len(ring) == 0
    assert ring.first_time is None
    assert ring.last_time is None
    assert ring.last() is None
    assert len(ring.window(0, 10)["t"]) == 0
    assert ring.all()["v"].dtype == np.int32


def test_refuses_rows_that_are_not_later_than_the_newest() -> None:
    ring = RingBuffer(4, DTYPES)
    ring.append({"t": 10.0, "v": 1})
    with pytest.raises(ValueError):
        ring.append({"t": 10.0, "v": 2})
    with pytest.raises(ValueError):
        ring.extend({"t": np.array([11.0, 11.0]), "v": np.array([1, 2])})
    with pytest.raises(ValueError):
        ring.extend({"t": np.array([9.0]), "v": np.array([1])})
    assert len(ring) == 1


def test_memory_is_allocated_once() -> None:
    ring = RingBuffer(100, DTYPES)
    before = ring.nbytes
    ring.extend({"t": np.arange(1000, dtype=np.float64), "v": np.zeros(1000, np.int32)})
    assert ring.nbytes == before == 100 * (8 + 4)
    assert len(ring) == 100


def test_needs_a_float_time_column() -> None:
    with pytest.raises(ValueError):
        RingBuffer(4, {"v": np.int32})
    with pytest.raises(ValueError):
        RingBuffer(0, DTYPES)


def test_a_row_of_values_that_does_not_fit_changes_nothing() -> None:
    ring = RingBuffer(4, DTYPES)
    ring.append_values((1.0, 5))
    with pytest.raises(ValueError, match="does not fit"):
        ring.append_values((2.0, 2**40))
    with pytest.raises(ValueError, match="increasing"):
        ring.append_values((1.0, 6))
    with pytest.raises(ValueError, match="2 values"):
        ring.append_values((3.0,))
    assert (len(ring), ring.last_time, ring.last()) == (1, 1.0, {"t": 1.0, "v": 5})


def test_rows_appended_one_by_one_read_back_at_any_moment() -> None:
    """Appended rows are written to the arrays in groups; every read sees all of them."""
    rng = np.random.default_rng(4)
    ring = RingBuffer(150, DTYPES)
    times: list[float] = []
    values: list[int] = []
    for step in range(400):
        times.append(step * 0.5 + 1.0)
        values.append(int(rng.integers(0, 1000)))
        ring.append_values((times[-1], values[-1]))
        if rng.random() < 0.1:
            everything = ring.all()
            assert everything["t"].tolist() == times[-150:]
            assert everything["v"].tolist() == values[-150:]
            assert len(ring) == min(len(times), 150)
            assert ring.first_time == times[-150:][0]
            assert ring.last() == {"t": times[-1], "v": values[-1]}
            window = ring.window(times[-1] - 10.0, times[-1])
            assert window["v"].tolist() == values[-21:]
        assert ring.last_time == times[-1]
