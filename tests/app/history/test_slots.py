"""SlotRing: rows of many series, wrapping, time windows, widening and merging."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.history.slots import SlotRing

DTYPES = {"v": np.int32}

rows = st.lists(
    st.tuples(st.floats(0.001, 100.0), st.sets(st.integers(0, 5))), min_size=0, max_size=60
)


def reference(plan: list[tuple[float, set[int]]], capacity: int) -> dict[int, list]:
    """Per slot, its (t, v) samples among the newest ``capacity`` rows."""
    times = np.cumsum([gap for gap, _ in plan]).tolist()
    kept: dict[int, list] = {slot: [] for slot in range(6)}
    for index, (t, (_gap, slots)) in enumerate(zip(times, plan, strict=True)):
        if index >= len(plan) - capacity:
            for slot in sorted(slots):
                kept[slot].append((t, index * 10 + slot))
    return kept


@settings(max_examples=100, deadline=None)
@given(plan=rows, capacity=st.integers(1, 30), widen_at=st.integers(0, 60))
def test_each_slot_reads_back_its_own_newest_samples(
    plan: list[tuple[float, set[int]]], capacity: int, widen_at: int
) -> None:
    ring = SlotRing(capacity, DTYPES, width=3)
    t = 0.0
    for index, (gap, slots) in enumerate(plan):
        if index == widen_at:
            ring.widen(6)
        chosen = np.array(sorted(s for s in slots if s < ring.width), np.intp)
        plan[index] = (gap, set(chosen.tolist()))
        t += gap
        ring.append(t, chosen, {"v": chosen + index * 10})
    ring.widen(6)
    for slot, samples in reference(plan, capacity).items():
        got = ring.all(slot)
        assert got["t"].tolist() == [when for when, _ in samples]
        assert got["v"].tolist() == [value for _, value in samples]
        assert ring.count(slot) == len(samples)
        assert ring.first_time(slot) == (samples[0][0] if samples else None)
        last = ring.last(slot)
        assert (last and (last["t"], last["v"])) == (samples[-1] if samples else None)
        assert ring.last_times()[slot] == (samples[-1][0] if samples else -math.inf)
        if samples:
            middle = samples[len(samples) // 2][0]
            window = ring.window(slot, middle, math.inf)
            assert window["t"].tolist() == [when for when, _ in samples if when >= middle]


def test_refuses_rows_that_are_not_later_than_the_newest() -> None:
    ring = SlotRing(4, DTYPES, width=2)
    ring.append(1.0, np.array([0]), {"v": [5]})
    with pytest.raises(ValueError, match="increasing"):
        ring.append(1.0, np.array([1]), {"v": [6]})
    assert ring.all(1)["t"].tolist() == []
    with pytest.raises(ValueError, match="capacity"):
        SlotRing(0, DTYPES)
    with pytest.raises(ValueError, match='"t"'):
        SlotRing(4, {"t": np.float64})


def test_merging_stored_rows_keeps_the_newest_times_in_order() -> None:
    ring = SlotRing(5, DTYPES, width=3)
    ring.append(10.0, np.array([0]), {"v": [100]})
    ring.append(20.0, np.array([0]), {"v": [200]})
    ring.merge(
        [
            (1, {"t": np.array([5.0, 10.0, 15.0]), "v": np.array([1, 2, 3])}),
            (2, {"t": np.array([1.0, 25.0]), "v": np.array([7, 8])}),
        ]
    )
    assert ring.all(0)["v"].tolist() == [100, 200]
    assert ring.all(1)["t"].tolist() == [5.0, 10.0, 15.0]
    assert ring.all(2)["t"].tolist() == [25.0]  # 1.0 is beyond the 5 newest times
    assert ring.last_time == 25.0
    ring.append(30.0, np.array([0, 1, 2]), {"v": [1, 2, 3]})
    assert [ring.all(slot)["t"][-1] for slot in range(3)] == [30.0, 30.0, 30.0]
    assert ring.all(1)["t"].tolist() == [10.0, 15.0, 30.0]  # the oldest row (5.0) went


def test_a_cleared_slot_has_no_samples_and_the_others_keep_theirs() -> None:
    ring = SlotRing(4, DTYPES, width=2)
    ring.append(1.0, np.array([0, 1]), {"v": [1, 2]})
    ring.clear_slot(0)
    assert ring.all(0)["t"].tolist() == []
    assert ring.all(1)["v"].tolist() == [2]
