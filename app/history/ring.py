"""A fixed-size, time-ordered ring of numeric rows stored column by column in numpy arrays."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import count
from typing import Any

import numpy as np
import numpy.typing as npt

Columns = dict[str, npt.NDArray[Any]]
"""Equal-length arrays keyed by column name, oldest row first."""

TIME = "t"
WRITE_ROWS = 64
"""Rows appended one by one are written to the arrays at most this many at a time (and
whenever the ring is read)."""
_staggered = count()


class RingBuffer:
    """``capacity`` rows of the columns named in ``dtypes``; full, it overwrites its oldest row.

    Every ring has a float64 column ``"t"`` (POSIX seconds) whose values strictly increase
    from one row to the next: ``append`` and ``extend`` refuse a row that is not later than
    the newest one. Memory is allocated once, in the constructor (zero-filled, so pages
    the ring never reaches are not touched); nothing grows afterwards but the
    list of at most ``WRITE_ROWS`` appended rows waiting to be written.
    """

    def __init__(self, capacity: int, dtypes: Mapping[str, npt.DTypeLike]) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if np.dtype(dtypes.get(TIME, np.int8)) != np.float64:
            raise ValueError('a ring needs a float64 column "t"')
        self._capacity = capacity
        self._columns: Columns = {name: np.zeros(capacity, dtype) for name, dtype in dtypes.items()}
        # Per column: the inclusive range a Python int must be in to be stored as is
        # (None for float columns). ``append`` runs for every server on every poll: with
        # these, a value that fits is checked without making a numpy scalar first.
        self._int_ranges: list[tuple[str, npt.NDArray[Any], tuple[int, int] | None]] = [
            (name, column, _int_range(column.dtype)) for name, column in self._columns.items()
        ]
        self._names = tuple(self._columns)
        self._time_index = self._names.index(TIME)
        self._next = 0  # physical index of the next row to write
        self._size = 0
        self._last_t: float | None = None  # ``t`` of the newest row, as a Python float
        # Rows appended one at a time wait here (checked, in column order) and are
        # written to the arrays together: a numpy write per value is most of an append.
        self._pending: list[list[Any]] = []
        # Rings made together (a poll's new series) write on different appends, not
        # all on the same poll: thresholds from WRITE_ROWS / 4 to WRITE_ROWS.
        self._write_at = min(capacity, WRITE_ROWS // 4 + next(_staggered) % (WRITE_ROWS * 3 // 4))

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._columns)

    @property
    def nbytes(self) -> int:
        """Bytes held by the column arrays."""
        return sum(column.nbytes for column in self._columns.values())

    def __len__(self) -> int:
        self._write_pending()
        return self._size

    @property
    def first_time(self) -> float | None:
        """``t`` of the oldest row, or None when empty."""
        self._write_pending()
        if self._size == 0:
            return None
        oldest = self._next if self._size == self._capacity else 0
        return float(self._columns[TIME][oldest])

    @property
    def last_time(self) -> float | None:
        """``t`` of the newest row, or None when empty (kept: no array read)."""
        return self._last_t

    def last(self) -> dict[str, float | int] | None:
        """The newest row as Python numbers, or None when empty."""
        self._write_pending()
        if self._size == 0:
            return None
        return {name: column[self._next - 1].item() for name, column in self._columns.items()}

    def append(self, row: Mapping[str, float | int]) -> None:
        """Add one row with a value for every column; ``row["t"]`` must be later than the last.

        Raises ``ValueError`` (and changes nothing) when a value does not fit its column's
        type, such as a count beyond the range of an int32 column.
        """
        self.append_values(tuple(row[name] for name in self._names))

    def append_values(self, row: Sequence[float | int]) -> None:
        """``append`` with the values in column order (``names``), without a mapping."""
        if len(row) != len(self._int_ranges):
            raise ValueError(f"a row has {len(self._int_ranges)} values, not {len(row)}")
        last = self._last_t
        t = row[self._time_index]
        if last is not None and not t > last:
            raise ValueError("rows must be appended in strictly increasing time order")
        values: list[Any] = []
        for (name, column, bounds), value in zip(self._int_ranges, row, strict=True):
            if bounds is None:
                fits = column.dtype.kind == "f" and isinstance(value, int | float)
            else:
                fits = isinstance(value, int) and bounds[0] <= value <= bounds[1]
            values.append(value if fits else _fit(name, column.dtype, value))
        self._pending.append(values)  # every value fits: the row is kept whole or not at all
        self._last_t = float(t)
        if len(self._pending) >= self._write_at:
            self._write_pending()

    def extend(self, rows: Mapping[str, npt.ArrayLike]) -> None:
        """Add many rows at once (arrays of equal length, times strictly increasing)."""
        self._write_pending()
        arrays = {name: np.asarray(rows[name]) for name in self._columns}
        times = arrays[TIME].astype(np.float64, copy=False)
        count = len(times)
        if count == 0:
            return
        last = self.last_time
        if (last is not None and not times[0] > last) or np.any(np.diff(times) <= 0):
            raise ValueError("rows must be appended in strictly increasing time order")
        self._write(arrays, count)
        self._last_t = float(self._columns[TIME][self._next - 1])

    def window(self, start: float, end: float, names: Iterable[str] | None = None) -> Columns:
        """Copies of the rows with ``start <= t <= end``, oldest first.

        ``names`` limits the result to these columns (default: all).
        """
        self._write_pending()
        wanted = self.names if names is None else tuple(names)
        pieces: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in wanted}
        for low, high in self._segments():
            times = self._columns[TIME][low:high]
            first = low + int(np.searchsorted(times, start, side="left"))
            stop = low + int(np.searchsorted(times, end, side="right"))
            if first < stop:
                for name in wanted:
                    pieces[name].append(self._columns[name][first:stop])
        return {
            name: np.concatenate(parts) if parts else np.empty(0, self._columns[name].dtype)
            for name, parts in pieces.items()
        }

    def all(self) -> Columns:
        """Copies of every row, oldest first."""
        self._write_pending()
        return {
            name: np.concatenate([column[low:high] for low, high in self._segments()])
            if self._size
            else np.empty(0, column.dtype)
            for name, column in self._columns.items()
        }

    def _write_pending(self) -> None:
        """Write the rows waiting in ``_pending`` to the arrays."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        columns = zip(*pending, strict=True)
        arrays = {
            name: np.asarray(values, dtype=column.dtype)
            for (name, column, _bounds), values in zip(self._int_ranges, columns, strict=True)
        }
        self._write(arrays, len(pending))

    def _write(self, arrays: Columns, count: int) -> None:
        """Write ``count`` checked rows (a column array per name) after the newest."""
        if count > self._capacity:  # only the newest rows fit
            arrays = {name: array[-self._capacity :] for name, array in arrays.items()}
            count = self._capacity
        first = min(count, self._capacity - self._next)
        for name, column in self._columns.items():
            column[self._next : self._next + first] = arrays[name][:first]
            column[: count - first] = arrays[name][first:]
        self._next = (self._next + count) % self._capacity
        self._size = min(self._size + count, self._capacity)

    def _segments(self) -> list[tuple[int, int]]:
        """The physical index ranges holding rows, oldest range first."""
        if self._size < self._capacity:
            return [(0, self._size)]
        if self._next == 0:
            return [(0, self._capacity)]
        return [(self._next, self._capacity), (0, self._next)]


def _int_range(dtype: np.dtype[Any]) -> tuple[int, int] | None:
    """The Python ints an integer column holds as they are, or None for other columns
    (float columns take ints and floats as they are; others go through ``_fit``)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return int(info.min), int(info.max)
    return None


def _fit(name: str, dtype: np.dtype[Any], value: float | int) -> Any:
    """``value`` as a scalar of ``dtype``; ``ValueError`` if it does not fit."""
    try:
        converted = dtype.type(value)
    except (OverflowError, ValueError, TypeError) as exc:
        raise ValueError(f"{name}={value!r} does not fit a {dtype} column") from exc
    if dtype.kind in "iu" and converted != value:
        raise ValueError(f"{name}={value!r} does not fit a {dtype} column")
    return converted
