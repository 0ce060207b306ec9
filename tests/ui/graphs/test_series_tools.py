"""Gaps, nearest values and joined tables of graph series."""

from __future__ import annotations

import numpy as np

from app.history import Series
from ui.graphs.series_tools import (
    gap_threshold,
    graph_table,
    nearest_value,
    readout_tolerance,
    with_gaps,
)


def series(t: list[float], y: list[float] | None = None) -> Series:
    values = y if y is not None else [float(i) for i in range(len(t))]
    return Series(np.array(t, dtype=np.float64), np.array(values, dtype=np.float64))


def test_regular_polls_have_no_gap() -> None:
    regular = series([0, 1, 2, 3, 4.2, 5])
    assert with_gaps(regular) is regular


def test_missed_polls_break_the_line() -> None:
    broken = with_gaps(series([0, 1, 2, 3, 20, 21, 22], [5, 5, 5, 5, 7, 7, 7]))
    assert broken.t.tolist() == [0, 1, 2, 3, 11.5, 20, 21, 22]
    assert np.isnan(broken.y[4])
    assert np.count_nonzero(np.isnan(broken.y)) == 1


def test_short_series_are_never_broken() -> None:
    assert gap_threshold(np.array([0.0, 100.0])) == float("inf")
    pair = series([0, 100])
    assert with_gaps(pair) is pair


def test_nearest_value_within_half_a_gap() -> None:
    line = series([0, 1, 2, 3, 20, 21], [10, 11, 12, 13, 20, 21])
    tolerance = readout_tolerance(line.t)
    assert tolerance == 2.5
    assert nearest_value(line, 1.4, tolerance) == 11
    assert nearest_value(line, 1.6, tolerance) == 12
    assert nearest_value(line, 10.0, tolerance) is None  # in the gap
    assert nearest_value(line, -5.0, tolerance) is None  # before the line
    assert nearest_value(series([]), 1.0, tolerance) is None


def test_readout_tolerance_of_one_or_two_samples() -> None:
    assert readout_tolerance(np.array([5.0])) == 1.0
    assert readout_tolerance(np.array([5.0, 9.0])) == 2.0


def test_table_joins_lines_on_their_times() -> None:
    table = graph_table([("a", series([0, 1, 2], [1, 2, 3])), ("b", series([1, 3], [7, 8]))])
    assert table.names == ("a", "b")
    assert table.times.tolist() == [0, 1, 2, 3]
    assert np.array_equal(
        table.values,
        np.array([[1, np.nan], [2, 7], [3, np.nan], [np.nan, 8]]),
        equal_nan=True,
    )
    empty = graph_table([])
    assert empty.values.shape == (0, 0)
