"""CSV export: formula-looking cells are neutralised, names stay whole."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.alerts import Severity
from app.events import EventRecord, EventSource, csv_cell, write_csv


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_formula_start_is_escaped(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["EKRAN-AS01", "a=b", "", "1-2"])
def test_other_text_is_kept(text: str) -> None:
    assert csv_cell(text) == text


def test_the_file_has_a_header_and_one_row_per_record(tmp_path: Path) -> None:
    record = EventRecord(
        ts=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        source=EventSource.CLUSTER,
        severity=Severity.CRITICAL,
        kind="offline",
        connection_id="x",
        connection='=HYPERLINK("http://evil")',
        servers=("-AS01", "AS02"),
        title='Name with "quotes", commas\nand a line break',
        text="@detail",
    )
    path = tmp_path / "events.csv"
    assert write_csv([record, record], path) == 2
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == [
        "time",
        "severity",
        "source",
        "connection",
        "servers",
        "event",
        "detail",
        "user",
    ]
    assert rows[1] == [
        "2026-12-07T09:00:00.000Z",
        "Critical",
        "cluster",
        '\'=HYPERLINK("http://evil")',
        "'-AS01, AS02",
        'Name with "quotes", commas\nand a line break',
        "'@detail",
        "",
    ]
    assert len(rows) == 3
