"""Numpy helpers for drawing and reading graph lines: gaps, nearest values, tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from app.history import Series

FloatArray = npt.NDArray[np.float64]

GAP_FACTOR = 5.0
"""Samples further apart than this many typical spacings are not joined by the line."""


def gap_threshold(t: FloatArray) -> float:
    """The spacing beyond which two neighbouring samples of ``t`` count as a gap.

    ``GAP_FACTOR`` times the median spacing: polls that failed (nothing recorded) leave
    a gap, the ordinary jitter of polling does not. Infinite for fewer than 3 samples.
    """
    if len(t) < 3:
        return float("inf")
    steps = np.diff(t)
    positive = steps[steps > 0]
    return float(np.median(positive)) * GAP_FACTOR if len(positive) else float("inf")


def with_gaps(series: Series, threshold: float | None = None) -> Series:
    """``series`` with a NaN value after every gap wider than ``threshold`` seconds
    (default: the series' own ``gap_threshold``).

    Drawn with ``connect="finite"``, the line breaks there instead of bridging the time
    nothing was recorded.
    """
    t, y = series
    if threshold is None:
        threshold = gap_threshold(t)
    if not np.isfinite(threshold):
        return series
    breaks = np.flatnonzero(np.diff(t) > threshold) + 1
    if not len(breaks):
        return series
    middles = (t[breaks - 1] + t[breaks]) / 2
    return Series(np.insert(t, breaks, middles), np.insert(y, breaks, np.nan))


def readout_tolerance(t: FloatArray, threshold: float | None = None) -> float:
    """How far from a sample of ``t`` the readout still shows its value.

    Half the gap threshold (default: ``gap_threshold(t)``), so that nothing is read over
    a gap or beyond the ends of a line; without one, half the spacing of two samples,
    or 1 s around a single one.
    """
    if threshold is None:
        threshold = gap_threshold(t)
    if np.isfinite(threshold):
        return threshold / 2
    if len(t) == 2 and t[-1] > t[0]:
        return float(t[-1] - t[0]) / 2
    return 1.0


def nearest_value(series: Series, x: float, tolerance: float) -> float | None:
    """The value of the sample nearest to ``x``; None when it is further than ``tolerance``."""
    t, y = series
    if not len(t):
        return None
    index = int(np.searchsorted(t, x))
    best = min((i for i in (index - 1, index) if 0 <= i < len(t)), key=lambda i: abs(t[i] - x))
    if abs(t[best] - x) > tolerance:
        return None
    return float(y[best])


class GraphTable(NamedTuple):
    """Lines side by side: ``values[row, column]`` is line ``column`` at ``times[row]``.

    NaN where a line has no point at that time.
    """

    times: FloatArray
    names: tuple[str, ...]
    values: FloatArray


def graph_table(lines: Sequence[tuple[str, Series]]) -> GraphTable:
    """Join ``(name, series)`` pairs on the union of their times."""
    names = tuple(name for name, _ in lines)
    if not lines:
        return GraphTable(np.empty(0), names, np.empty((0, 0)))
    times = np.unique(np.concatenate([series.t for _, series in lines]))
    values = np.full((len(times), len(lines)), np.nan)
    for column, (_, series) in enumerate(lines):
        values[np.searchsorted(times, series.t), column] = series.y
    return GraphTable(times, names, values)
