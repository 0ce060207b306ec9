"""CSV export of event records, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some spreadsheets skip before such a sign) would be read as a formula: it is
written with a leading apostrophe, which spreadsheets show as text. Columns: time (RFC
3339 UTC), severity, source, connection, servers, event, detail, user.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from app.audit import format_timestamp
from app.events.record import EventRecord

HEADER = ("time", "severity", "source", "connection", "servers", "event", "detail", "user")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` as a cell no spreadsheet evaluates as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_row(record: EventRecord) -> list[str]:
    cells = [
        format_timestamp(record.ts),
        record.severity.label,
        record.source.value,
        record.connection,
        ", ".join(record.servers),
        record.title,
        record.text,
        record.user,
    ]
    return [csv_cell(cell) for cell in cells]


def write_csv(records: Iterable[EventRecord], path: Path) -> int:
    """Write ``records`` (in the order given) to ``path`` as UTF-8 CSV with a BOM (so
    Excel reads the names right); returns how many rows were written. Blocking."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for record in records:
            writer.writerow(csv_row(record))
            count += 1
    return count
