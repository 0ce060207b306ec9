"""The lines of the load graphs: each server's (and the cluster total's) Clients and status.

``Tiers`` holds every series of one connection: the raw tier and the 1-minute tier are
``SlotRing``s with a slot per series, and ``MinuteFold`` keeps the open minute of all of
them, so one poll is one vectorised write whatever the number of servers.
``SeriesHistory`` is one series' view of them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from app.history.ring import Columns
from app.history.rollup import (
    MINUTE_S,
    MINUTE_VALUES,
    ClosedMinutes,
    MinuteFold,
    MinuteRow,
    minute_of,
)
from app.history.slots import SlotRing, Slots

RAW_DTYPES: dict[str, type[np.generic]] = {
    "t": np.float64,  # poll time, POSIX seconds
    "clients": np.int32,
    "status": np.int8,  # a StatusCode
}
RAW_VALUES = {name: dtype for name, dtype in RAW_DTYPES.items() if name != "t"}
RAW_SPAN_S = 3600.0
"""The raw tier is meant for the last hour; older samples live on as 1-minute rows."""
RAW_CAPACITY = 7200
"""Raw rows per connection: one hour at the fastest poll interval a connection allows (0.5 s)."""
MINUTE_CAPACITY = 10_080
"""1-minute rows per connection: seven days."""
NO_STATUS = -1
"""``Tiers.last_status`` of a slot with no sample."""


class Tiers:
    """The raw tier, the 1-minute tier and the open minute of every series of a connection.

    A poll (``add``) writes one row of the raw tier with a sample for each slot it
    names, and folds them into the open minute; when it starts a later minute, the open
    one becomes one row of the minute tier (for the slots that had samples in it). Polls
    come in strictly increasing time order (``accepts``).
    """

    def __init__(self, raw_capacity: int, minute_capacity: int, width: int = 1) -> None:
        self.raw = SlotRing(raw_capacity, RAW_VALUES, width)
        self.minutes = SlotRing(minute_capacity, MINUTE_VALUES, width)
        self.fold = MinuteFold(width)
        self.last_status = np.full(width, NO_STATUS, np.int8)
        self.last_time = np.full(width, -np.inf)  # per slot, the time of its newest sample

    @property
    def width(self) -> int:
        return self.raw.width

    @property
    def nbytes(self) -> int:
        return self.raw.nbytes + self.minutes.nbytes

    @property
    def slot_nbytes(self) -> int:
        return self.raw.slot_nbytes + self.minutes.slot_nbytes

    def widen(self, width: int) -> None:
        """Make room for slots up to ``width - 1``."""
        old = self.width
        if width <= old:
            return
        self.raw.widen(width)
        self.minutes.widen(width)
        self.fold.widen(width)
        self.last_status = np.concatenate(
            [self.last_status, np.full(width - old, NO_STATUS, np.int8)]
        )
        self.last_time = np.concatenate([self.last_time, np.full(width - old, -np.inf)])

    def accepts(self, t: float) -> bool:
        """Whether a poll at ``t`` is later than every sample and minute held."""
        raw_last = self.raw.last_time
        if raw_last is not None and t <= raw_last:
            return False
        minute = minute_of(t)
        minute_last = self.minutes.last_time
        if minute_last is not None and minute <= minute_last:
            return False
        return self.fold.minute is None or minute >= self.fold.minute

    def add(
        self, t: float, slots: Slots, clients: npt.NDArray[np.int32], status: npt.NDArray[np.int8]
    ) -> ClosedMinutes | None:
        """Record one poll: ``clients`` and ``status`` of each of ``slots`` at ``t``.

        Returns the minute this poll closed, if any. ``ValueError`` when ``t`` is not
        later than the newest row (check ``accepts`` first).
        """
        self.raw.append(t, slots, {"clients": clients, "status": status})
        closed = self.fold.add(t, slots, clients, status)
        if closed is not None:
            self.minutes.append(closed.t, closed.slots, closed.values)
        self.last_status[slots] = status
        self.last_time[slots] = t
        return closed

    def forget(self, slot: int) -> None:
        """Drop every sample of ``slot`` (the slot can then serve another series)."""
        self.raw.clear_slot(slot)
        self.minutes.clear_slot(slot)
        self.fold.forget(slot)
        self.last_status[slot] = NO_STATUS
        self.last_time[slot] = -np.inf


class TierView:
    """One slot of a ``SlotRing``, read like a ring of its own."""

    def __init__(self, ring: SlotRing, slot: int) -> None:
        self._ring = ring
        self._slot = slot

    def __len__(self) -> int:
        return self._ring.count(self._slot)

    @property
    def first_time(self) -> float | None:
        return self._ring.first_time(self._slot)

    @property
    def last_time(self) -> float | None:
        last = self._ring.last(self._slot)
        return None if last is None else float(last["t"])

    def last(self) -> dict[str, float | int] | None:
        return self._ring.last(self._slot)

    def window(self, start: float, end: float, names: Iterable[str] | None = None) -> Columns:
        return self._ring.window(self._slot, start, end, names)

    def all(self) -> Columns:
        return self._ring.all(self._slot)


class SeriesHistory:
    """One line of the load graphs: slot ``slot`` of ``tiers``.

    Without ``tiers`` the series has tiers of its own (one slot), and ``add`` records
    its samples one at a time.
    """

    def __init__(
        self,
        name: str,
        *,
        raw_capacity: int = RAW_CAPACITY,
        minute_capacity: int = MINUTE_CAPACITY,
        tiers: Tiers | None = None,
        slot: int = 0,
    ) -> None:
        self.name = name
        self.tiers = Tiers(raw_capacity, minute_capacity) if tiers is None else tiers
        self.slot = slot
        self.raw = TierView(self.tiers.raw, slot)
        self.minutes = TierView(self.tiers.minutes, slot)

    @property
    def nbytes(self) -> int:
        """This series' share of the tiers' arrays."""
        return self.tiers.slot_nbytes

    @property
    def last_time(self) -> float | None:
        """Time of the newest sample (or of the newest minute when no raw sample is kept)."""
        last = float(self.tiers.last_time[self.slot])
        if last != -np.inf:
            return last
        pending = self.tiers.fold.pending(self.slot)
        candidates = [self.raw.last_time, self.minutes.last_time]
        if pending is not None:
            candidates.append(pending.t)
        known = [t for t in candidates if t is not None]
        return max(known) if known else None

    @property
    def last_status(self) -> int | None:
        """Status code of the newest sample, or None when there is none."""
        status = int(self.tiers.last_status[self.slot])
        return None if status == NO_STATUS else status

    def accepts(self, t: float) -> bool:
        """Whether a sample at ``t`` is later than everything its tiers hold."""
        return self.tiers.accepts(t)

    def add(
        self, t: float, clients: int, status: int, *, accepted: bool = False
    ) -> MinuteRow | None:
        """Record one sample; returns the minute row it closed, if any.

        Raises ``ValueError`` when ``accepts(t)`` is False; ``accepted`` says the caller
        has just found it True (it is not asked again).
        """
        if not accepted and not self.accepts(t):
            raise ValueError("sample is not later than the series' newest sample")
        slots = np.array([self.slot], np.intp)
        closed = self.tiers.add(
            t, slots, np.array([clients], np.int32), np.array([status], np.int8)
        )
        if closed is None:
            return None
        where = np.flatnonzero(closed.slots == self.slot)
        return closed.row(int(where[0])) if len(where) else None

    def pending(self) -> MinuteRow | None:
        """The open minute of this series, or None."""
        return self.tiers.fold.pending(self.slot)

    def raw_window(self, start: float, end: float) -> Columns:
        return self.raw.window(start, end)

    def minute_window(
        self, start: float, end: float, names: Iterable[str] | None = None
    ) -> Columns:
        """The minute rows of ``[start, end]`` (by minute start), the open minute included.

        ``names`` limits the result to these columns (default: all).
        """
        rows = self.minutes.window(start, end, names)
        pending = self.pending()
        if pending is None or not start <= pending.t <= end:
            return rows
        extra = pending.as_dict()
        return {
            name: np.append(column, np.asarray(extra[name], column.dtype))
            for name, column in rows.items()
        }

    def raw_covers(self, start: float) -> bool:
        """Whether the raw tier holds every sample from ``start`` on that the series has."""
        raw_first = self.raw.first_time
        if raw_first is None:
            return False
        if raw_first <= start:
            return True
        minute_first = self.minutes.first_time
        return minute_first is None or minute_first >= minute_of(raw_first)


__all__ = [
    "MINUTE_CAPACITY",
    "MINUTE_S",
    "RAW_CAPACITY",
    "RAW_DTYPES",
    "RAW_SPAN_S",
    "SeriesHistory",
    "Tiers",
]
