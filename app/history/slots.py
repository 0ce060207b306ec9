"""SlotRing: a fixed-size, time-ordered ring of rows with a value per slot (series).

One row per poll (or per minute) of a whole connection: every series of the connection
has a slot (a column index), and a row holds, for each slot that has a sample at that
time, its values. A poll of 1,000 servers is then one row write (a few numpy
assignments), not 1,000 appends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from app.history.ring import TIME, Columns

Slots = npt.NDArray[np.intp]
"""Slot indices, each at most once."""


class SlotRing:
    """``capacity`` rows of a float64 time ``"t"`` and, per slot, the columns in ``dtypes``.

    Times strictly increase from one row to the next (``append`` refuses a row that is
    not later than the newest). A row holds a sample only for the slots given when it was
    appended (the others are absent). Full, the ring overwrites its oldest row. Memory is
    allocated in the constructor and when ``widen`` adds slots (zero-filled, so rows the
    ring never reaches are not touched).

    Each array is laid out row by row (shape ``(capacity, width)``): a poll's write is
    one contiguous row, so memory is touched a page at a time as the ring fills. (Slot
    by slot, a row write touches a page of every slot: with transparent huge pages the
    first minute row of 1,000 servers faulted in the whole 240 MB minute tier at once.)
    A read of one series is strided, which costs little beside drawing it.
    """

    def __init__(self, capacity: int, dtypes: Mapping[str, npt.DTypeLike], width: int = 1) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if TIME in dtypes:
            raise ValueError('the time "t" is the ring\'s own column')
        self._capacity = capacity
        self._dtypes = {name: np.dtype(dtype) for name, dtype in dtypes.items()}
        self._t = np.zeros(capacity, np.float64)
        self._values: Columns = {
            name: np.zeros((capacity, width), dtype) for name, dtype in self._dtypes.items()
        }
        self._present = np.zeros((capacity, width), np.bool_)
        self._next = 0  # physical index of the next row to write
        self._size = 0
        self._last_t: float | None = None

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def width(self) -> int:
        return int(self._present.shape[1])

    @property
    def names(self) -> tuple[str, ...]:
        """The value columns (``"t"`` not included)."""
        return tuple(self._values)

    @property
    def nbytes(self) -> int:
        return int(
            self._t.nbytes + self._present.nbytes + sum(c.nbytes for c in self._values.values())
        )

    @property
    def slot_nbytes(self) -> int:
        """Bytes one slot takes in the arrays."""
        return self._capacity * (1 + sum(dtype.itemsize for dtype in self._dtypes.values()))

    def __len__(self) -> int:
        """Rows held (each with a sample of at least one slot, or none)."""
        return self._size

    @property
    def last_time(self) -> float | None:
        """``t`` of the newest row, or None when empty."""
        return self._last_t

    def widen(self, width: int) -> None:
        """Make room for slots up to ``width - 1`` (the new slots are absent everywhere)."""
        old = self.width
        if width <= old:
            return
        used = self._size  # rows 0 .. size - 1 (all once full): only they are copied,
        # so that rows the ring has not reached yet stay untouched (not in memory)
        grown = np.zeros((self._capacity, width), np.bool_)
        grown[:used, :old] = self._present[:used]
        self._present = grown
        for name, column in self._values.items():
            wider = np.zeros((self._capacity, width), column.dtype)
            wider[:used, :old] = column[:used]
            self._values[name] = wider

    def append(self, t: float, slots: Slots, values: Mapping[str, npt.ArrayLike]) -> None:
        """Add one row at ``t`` with a sample for each of ``slots`` (values in slot order).

        ``t`` must be later than the newest row (``ValueError`` otherwise, nothing
        changed). Values are converted to the column types (the caller checks ranges).
        """
        if self._last_t is not None and not t > self._last_t:
            raise ValueError("rows must be appended in strictly increasing time order")
        row = self._next
        present = self._present[row]
        present[:] = False
        present[slots] = True
        for name, column in self._values.items():
            column[row, slots] = values[name]
        self._t[row] = t
        self._last_t = float(t)
        self._next = (row + 1) % self._capacity
        self._size = min(self._size + 1, self._capacity)

    def clear_slot(self, slot: int) -> None:
        """Forget every sample of ``slot`` (its rows stay for the other slots)."""
        self._present[:, slot] = False

    def window(
        self, slot: int, start: float, end: float, names: Iterable[str] | None = None
    ) -> Columns:
        """Copies of the samples of ``slot`` with ``start <= t <= end``, oldest first.

        ``names`` limits the result to these columns (``"t"`` included; default: all).
        """
        wanted = (TIME, *self.names) if names is None else tuple(names)
        pieces: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in wanted}
        for low, high in self._segments():
            times = self._t[low:high]
            first = low + int(np.searchsorted(times, start, side="left"))
            stop = low + int(np.searchsorted(times, end, side="right"))
            if first >= stop:
                continue
            keep: Any = self._present[first:stop, slot]
            if keep.all():
                keep = slice(None)  # (concatenate copies the slices below)
            for name in wanted:
                if name == TIME:
                    pieces[name].append(self._t[first:stop][keep])
                else:
                    pieces[name].append(self._values[name][first:stop, slot][keep])
        return {
            name: np.concatenate(parts) if parts else np.empty(0, self._dtype(name))
            for name, parts in pieces.items()
        }

    def window_slots(
        self, slots: Slots, start: float, end: float, name: str
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[Any], npt.NDArray[np.bool_]]:
        """The rows with ``start <= t <= end`` for several slots at once, oldest first:
        their times ``(n,)``, the column ``name`` of ``slots`` ``(n, len(slots))`` and
        which of those hold a sample ``(n, len(slots))`` (copies).

        Slot ``slots[j]``'s samples are ``times[present[:, j]]`` and
        ``values[present[:, j], j]``: what ``window(slots[j], start, end)`` gives, read
        in one pass instead of one per slot.
        """
        times: list[npt.NDArray[np.float64]] = []
        values: list[npt.NDArray[Any]] = []
        present: list[npt.NDArray[np.bool_]] = []
        column = self._values[name]
        for low, high in self._segments():
            held = self._t[low:high]
            first = low + int(np.searchsorted(held, start, side="left"))
            stop = low + int(np.searchsorted(held, end, side="right"))
            if first >= stop:
                continue
            times.append(self._t[first:stop])
            values.append(column[first:stop][:, slots])
            present.append(self._present[first:stop][:, slots])
        if not times:
            count = len(slots)
            return (
                np.empty(0, np.float64),
                np.empty((0, count), column.dtype),
                np.empty((0, count), np.bool_),
            )
        if len(times) == 1:
            return times[0].copy(), values[0], present[0]
        return np.concatenate(times), np.concatenate(values), np.concatenate(present)

    def first_times(self, slots: Slots) -> npt.NDArray[np.float64]:
        """``first_time`` of each of ``slots`` (NaN for a slot with no sample)."""
        result = np.full(len(slots), np.nan)
        missing = np.ones(len(slots), np.bool_)
        for low, high in self._segments():
            if high <= low or not missing.any():
                continue
            present = self._present[low:high][:, slots]
            has = present.any(axis=0) & missing
            oldest = low + np.argmax(present, axis=0)
            result[has] = self._t[oldest[has]]
            missing &= ~has
        return result

    def all(self, slot: int) -> Columns:
        """Copies of every sample of ``slot``, oldest first."""
        return self.window(slot, -np.inf, np.inf)

    def count(self, slot: int) -> int:
        """Samples of ``slot`` held."""
        return int(np.count_nonzero(self._present[: self._size, slot]))

    def first_time(self, slot: int) -> float | None:
        """``t`` of the oldest sample of ``slot``, or None when it has none."""
        for low, high in self._segments():
            present = self._present[low:high, slot]
            if not present.size:
                continue
            index = int(np.argmax(present))
            if present[index]:
                return float(self._t[low + index])
        return None

    def last(self, slot: int) -> dict[str, float | int] | None:
        """The newest sample of ``slot`` as Python numbers, or None."""
        for low, high in reversed(self._segments()):
            present = self._present[low:high, slot][::-1]
            if not present.size:
                continue
            index = int(np.argmax(present))
            if present[index]:
                row = high - 1 - index
                found: dict[str, float | int] = {TIME: float(self._t[row])}
                for name, column in self._values.items():
                    found[name] = column[row, slot].item()
                return found
        return None

    def last_times(self) -> npt.NDArray[np.float64]:
        """Per slot, ``t`` of its newest sample (``-inf`` for a slot with none)."""
        result = np.full(self.width, -np.inf)
        for low, high in self._segments():  # oldest first: later segments overwrite
            if high <= low:
                continue
            present = self._present[low:high]
            has = present.any(axis=0)
            newest = high - 1 - np.argmax(present[::-1], axis=0)
            result[has] = self._t[newest[has]]
        return result

    def merge(self, items: Sequence[tuple[int, Mapping[str, npt.NDArray[Any]]]]) -> None:
        """Add stored samples: per (slot, columns with ``"t"``), rows at any time.

        The ring is rebuilt on the union of its times and theirs (the newest
        ``capacity`` times kept); a slot's sample at a time the ring has replaces it.
        """
        held = self._in_order()
        times = np.unique(held[TIME])
        added: npt.NDArray[np.float64] | None = None
        for _, columns in items:  # the series of a connection mostly share their times
            when = np.asarray(columns[TIME], np.float64)
            if added is None or not np.array_equal(when, added):
                times = np.union1d(times, when)
                added = when
        times = times[-self._capacity :]
        count = len(times)
        present = np.zeros_like(self._present)
        values = {name: np.zeros_like(column) for name, column in self._values.items()}

        def place(when: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[Any]]:
            where = np.searchsorted(times, when)
            kept = (where < count) & (times[np.minimum(where, count - 1)] == when)
            return where[kept], kept

        if self._size:
            rows, kept = place(held[TIME])
            present[rows] = held["present"][kept]
            for name in values:
                values[name][rows] = held[name][kept]
        for slot, columns in items:
            rows, kept = place(np.asarray(columns[TIME], np.float64))
            present[rows, slot] = True
            for name in values:
                values[name][rows, slot] = np.asarray(columns[name])[kept]
        self._t[:] = 0.0
        self._t[:count] = times
        self._present = present
        self._values = values
        self._size = count
        self._next = count % self._capacity
        self._last_t = float(times[-1]) if count else None

    def _in_order(self) -> dict[str, npt.NDArray[Any]]:
        """Every row (all slots), oldest first: ``"t"``, ``"present"`` and the columns."""
        segments = self._segments() if self._size else []

        def rows(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
            if not segments:
                return array[:0]
            return np.concatenate([array[low:high] for low, high in segments])

        held = {TIME: rows(self._t), "present": rows(self._present)}
        held.update({name: rows(column) for name, column in self._values.items()})
        return held

    def _dtype(self, name: str) -> np.dtype[Any]:
        return np.dtype(np.float64) if name == TIME else self._dtypes[name]

    def _segments(self) -> list[tuple[int, int]]:
        """The physical row ranges, oldest range first."""
        if self._size < self._capacity:
            return [(0, self._size)]
        if self._next == 0:
            return [(0, self._capacity)]
        return [(self._next, self._capacity), (0, self._next)]
