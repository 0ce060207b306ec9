"""Reducing a series to a drawable number of points without losing its peaks."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from app.history.ring import Columns
from app.history.rollup import MINUTE_S

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
ENVELOPE_COLUMNS = ("t", "low", "high", "rising")
_HALF_MINUTE = MINUTE_S / 2


class Series(NamedTuple):
    """Points of a graph line: ``t`` in POSIX seconds (increasing), ``y`` in Clients."""

    t: FloatArray
    y: FloatArray


EMPTY = Series(np.empty(0), np.empty(0))


def raw_points(rows: Columns, value: str = "clients") -> Series:
    """Raw samples as points, one per sample."""
    return Series(rows["t"].astype(np.float64), rows[value].astype(np.float64))


def minute_envelope(rows: Columns) -> Series:
    """1-minute rows as points: each minute's low and high in the order they occurred.

    The first of the two is placed at the start of the minute and the second at its
    middle; a minute whose low equals its high gives one point, at its start.
    """
    t, low, high, rising = _minute_columns(rows)
    times = np.column_stack((t, t + _HALF_MINUTE)).ravel()
    values = np.column_stack((np.where(rising, low, high), np.where(rising, high, low))).ravel()
    keep = np.ones(len(times), dtype=bool)
    keep[1::2] = low != high
    return Series(times[keep], values[keep])


def downsample(points: Series, max_points: int) -> Series:
    """At most ``max_points`` of ``points``, keeping the lowest and highest of each bucket.

    The time span is cut into ``max_points // 2`` equal buckets; each non-empty bucket
    keeps its lowest and its highest point (the first of each when values repeat), in
    time order, one point when they coincide. Points are returned unchanged when there
    are no more than ``max_points``. The values must be whole numbers (Clients counts).
    Raises ``ValueError`` when ``max_points < 2``.
    """
    _check(max_points)
    t, y = points
    if len(t) <= max_points:
        return points
    values = y.astype(np.int64)
    lows, highs = _bucket_extremes(t, values, values, max_points // 2)
    keep = _pairs(np.minimum(lows, highs), np.maximum(lows, highs))
    return Series(t[keep], y[keep])


def downsample_columns(
    t: FloatArray, values: npt.NDArray[np.integer[Any]], max_points: int
) -> list[Series]:
    """``downsample(Series(t, values[:, j]), max_points)`` for every column ``j`` of
    ``values`` (samples of several series at the same times ``t``), the buckets' lowest
    and highest found for all columns in one pass."""
    _check(max_points)
    columns = values.shape[1]
    floats = values.astype(np.float64)
    if len(t) <= max_points:
        return [Series(t.copy(), floats[:, j]) for j in range(columns)]
    wide = values.astype(np.int64)
    lows, highs = _bucket_extremes(t, wide, wide, max_points // 2)
    result = []
    for j in range(columns):
        keep = _pairs(np.minimum(lows[:, j], highs[:, j]), np.maximum(lows[:, j], highs[:, j]))
        result.append(Series(t[keep], floats[keep, j]))
    return result


def downsample_minutes(rows: Columns, max_points: int) -> Series:
    """``minute_envelope(rows)`` reduced to at most ``max_points`` points.

    Works on the rows themselves (half as many values as the envelope): the span is cut
    into ``max_points // 2`` equal buckets of minutes, and each keeps the envelope point
    of its lowest low and of its highest high, in time order.
    """
    _check(max_points)
    t = rows["t"].astype(np.float64, copy=False)
    low = rows["low"].astype(np.int64)
    high = rows["high"].astype(np.int64)
    rising = rows["rising"].astype(bool, copy=False)
    flat = low == high
    if 2 * len(t) - int(np.count_nonzero(flat)) <= max_points:
        return minute_envelope(rows)
    lows, highs = _bucket_extremes(t, low, high, max_points // 2)
    low_t = t[lows] + np.where(rising[lows] | flat[lows], 0.0, _HALF_MINUTE)
    high_t = t[highs] + np.where(rising[highs] & ~flat[highs], _HALF_MINUTE, 0.0)
    low_first = low_t <= high_t
    times = np.column_stack(
        (np.where(low_first, low_t, high_t), np.where(low_first, high_t, low_t))
    ).ravel()
    values = np.column_stack(
        (np.where(low_first, low[lows], high[highs]), np.where(low_first, high[highs], low[lows]))
    ).ravel()
    keep = np.ones(len(times), dtype=bool)
    keep[1::2] = times[1::2] != times[0::2]  # a flat minute holding both extremes
    return Series(times[keep], values[keep].astype(np.float64))


def _check(max_points: int) -> None:
    if max_points < 2:
        raise ValueError("max_points must be at least 2")


def _minute_columns(
    rows: Columns,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    return (
        rows["t"].astype(np.float64, copy=False),
        rows["low"].astype(np.float64),
        rows["high"].astype(np.float64),
        rows["rising"].astype(bool, copy=False),
    )


def _bucket_extremes(
    t: FloatArray, low: npt.NDArray[np.int64], high: npt.NDArray[np.int64], buckets: int
) -> tuple[IndexArray, IndexArray]:
    """For each non-empty bucket of equal time width: where its lowest ``low`` and its
    highest ``high`` first occur. ``t`` must increase strictly and hold two values or more;
    the values are Clients counts (integers below 2**31). ``low`` and ``high`` may have
    a second axis (a column per series, at the times ``t``): the result then has one
    too.
    """
    count = len(t)
    edges = t[0] + (t[-1] - t[0]) / buckets * np.arange(buckets)
    starts = np.searchsorted(t, edges, side="left")
    segments = starts[np.append(starts[1:], count) > starts]
    # One reduction per extreme: the value in the high bits, the position in the low bits,
    # so that among equal values the first position wins.
    shift = count.bit_length()
    mask = (1 << shift) - 1
    index = np.arange(count, dtype=np.int64)
    if low.ndim == 2:
        index = index[:, np.newaxis]
    lowest = np.minimum.reduceat((low << shift) | index, segments) & mask
    highest = mask - (np.maximum.reduceat((high << shift) | (mask - index), segments) & mask)
    return lowest.astype(np.intp), highest.astype(np.intp)


def _pairs(first: IndexArray, second: IndexArray) -> IndexArray:
    """``first[0], second[0], first[1], ...`` without a repeated index."""
    both = np.column_stack((first, second)).ravel()
    keep = np.ones(len(both), dtype=bool)
    keep[1::2] = second != first
    return both[keep]
