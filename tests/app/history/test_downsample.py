"""Downsampling keeps each bucket's extremes and never exceeds the point budget."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.history.downsample import Series, downsample, downsample_minutes, minute_envelope

series_strategy = st.lists(
    st.tuples(st.floats(0.01, 500.0), st.integers(0, 1000)), min_size=1, max_size=400
).map(
    lambda pairs: Series(
        1_800_000_000.0 + np.cumsum([gap for gap, _ in pairs]),
        np.array([value for _, value in pairs], dtype=np.float64),
    )
)


@given(points=series_strategy, max_points=st.integers(2, 80))
def test_keeps_the_lowest_and_highest_point_of_every_bucket(
    points: Series, max_points: int
) -> None:
    result = downsample(points, max_points)
    assert len(result.t) <= max_points
    assert np.all(np.diff(result.t) > 0)
    positions = np.searchsorted(points.t, result.t)  # every point is one of the input's
    np.testing.assert_array_equal(points.t[positions], result.t)
    np.testing.assert_array_equal(points.y[positions], result.y)
    if len(points.t) <= max_points:
        np.testing.assert_array_equal(result.y, points.y)
        return
    buckets = max_points // 2
    edges = points.t[0] + (points.t[-1] - points.t[0]) / buckets * np.arange(buckets + 1)
    bucket_of = np.clip(np.searchsorted(edges, points.t, side="right") - 1, 0, buckets - 1)
    kept_bucket = bucket_of[positions]
    for bucket in np.unique(bucket_of):
        values = points.y[bucket_of == bucket]
        kept = result.y[kept_bucket == bucket]
        assert values.min() in kept
        assert values.max() in kept
        assert len(kept) <= 2
    assert result.y.max() == points.y.max()
    assert result.y.min() == points.y.min()


def test_short_series_come_back_unchanged() -> None:
    points = Series(np.array([1.0, 2.0, 3.0]), np.array([5.0, 1.0, 9.0]))
    assert downsample(points, 3) is points


def test_a_spike_survives_heavy_downsampling() -> None:
    t = np.arange(100_000, dtype=np.float64)
    y = np.full(100_000, 50.0)
    y[73_321] = 900.0
    y[12_345] = 0.0
    result = downsample(Series(t, y), 20)
    assert len(result.t) <= 20
    assert 73_321.0 in result.t
    assert 900.0 in result.y
    assert 12_345.0 in result.t
    assert 0.0 in result.y


def test_needs_room_for_a_low_and_a_high() -> None:
    with pytest.raises(ValueError):
        downsample(Series(np.arange(5.0), np.arange(5.0)), 1)


def test_minute_envelope_follows_the_order_of_low_and_high() -> None:
    rows = {
        "t": np.array([0.0, 60.0, 120.0]),
        "low": np.array([1, 5, 7], dtype=np.int32),
        "high": np.array([9, 8, 7], dtype=np.int32),
        "rising": np.array([True, False, True]),
    }
    t, y = minute_envelope(rows)
    assert t.tolist() == [0.0, 30.0, 60.0, 90.0, 120.0]  # a flat minute gives one point
    assert y.tolist() == [1.0, 9.0, 8.0, 5.0, 7.0]


minute_rows_strategy = st.lists(
    st.tuples(st.integers(1, 30), st.integers(0, 500), st.integers(0, 40), st.booleans()),
    min_size=1,
    max_size=300,
).map(
    lambda rows: {
        "t": 29_916_667 * 60.0 + 60.0 * np.cumsum([gap for gap, _, _, _ in rows]),
        "low": np.array([low for _, low, _, _ in rows], dtype=np.int32),
        "high": np.array([low + spread for _, low, spread, _ in rows], dtype=np.int32),
        "rising": np.array([rising for _, _, _, rising in rows]),
    }
)


@given(rows=minute_rows_strategy, max_points=st.integers(2, 80))
def test_minute_downsampling_keeps_each_buckets_lowest_low_and_highest_high(
    rows: dict[str, np.ndarray], max_points: int
) -> None:
    envelope = minute_envelope(rows)
    result = downsample_minutes(rows, max_points)
    assert len(result.t) <= max_points
    assert np.all(np.diff(result.t) > 0)
    positions = np.searchsorted(envelope.t, result.t)  # every point is an envelope point
    np.testing.assert_array_equal(envelope.t[positions], result.t)
    np.testing.assert_array_equal(envelope.y[positions], result.y)
    if len(envelope.t) <= max_points:
        np.testing.assert_array_equal(result.y, envelope.y)
        return
    t = rows["t"]
    buckets = max_points // 2
    edges = t[0] + (t[-1] - t[0]) / buckets * np.arange(buckets + 1)
    bucket_of_minute = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, buckets - 1)
    bucket_of_point = bucket_of_minute[np.searchsorted(t, result.t, side="right") - 1]
    for bucket in np.unique(bucket_of_minute):
        inside = bucket_of_minute == bucket
        kept = result.y[bucket_of_point == bucket]
        assert rows["low"][inside].min() in kept
        assert rows["high"][inside].max() in kept
        assert len(kept) <= 2
