"""Single byte-range requests (RFC 9110 section 14) against a body of known size."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SINGLE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class UnsatisfiableRange(Exception):
    """The range starts at or after the end of the body."""


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive of a body of ``total`` bytes."""

    start: int
    end: int
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.total}"


def parse_range(header: str | None, total: int) -> ByteRange | None:
    """The range a ``Range`` header asks for, or ``None`` to send the whole body.

    Understands ``bytes=N-``, ``bytes=N-M`` and ``bytes=-N``. A header that is absent,
    malformed, or asks for several ranges yields ``None`` (the server may ignore a
    ``Range`` it does not support). Raises ``UnsatisfiableRange`` when the range lies
    entirely outside the body.
    """
    if not header:
        return None
    match = _SINGLE_RANGE.match(header)
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or total == 0:
            raise UnsatisfiableRange
        return ByteRange(max(0, total - suffix), total - 1, total)
    start = int(first)
    end = int(last) if last else total - 1
    if last and end < start:
        return None
    if start >= total:
        raise UnsatisfiableRange
    return ByteRange(start, min(end, total - 1), total)
