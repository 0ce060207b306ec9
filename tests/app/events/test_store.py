"""The events journal: records round-trip, 30 days kept, a refusing disk loses nothing."""

from __future__ import annotations

import errno
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.alerts import Alert, AlertKind, Severity
from app.audit import AuditAction, AuditEntry, AuditResult
from app.events import (
    EventRecord,
    EventsNotWrittenError,
    EventSource,
    EventStore,
    event_from_alert,
    event_from_audit,
    merge_newest_first,
)

NOW = datetime(2026, 12, 7, 9, 30, 0, 123000, tzinfo=UTC)


def change(at: datetime = NOW, title: str = "EKRAN-AS02 went offline") -> EventRecord:
    return event_from_alert(
        Alert(
            AlertKind.OFFLINE,
            Severity.CRITICAL,
            "c0ffee00-0000-4000-8000-000000000001",
            "Production",
            ("as-02",),
            ("EKRAN-AS02",),
            title,
            "Seen in Production.",
            at,
        )
    )


def test_a_record_survives_the_file(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "events.jsonl")
    hostile = change(title="=cmd|' /C calc'!A0 \x1b[31m\u202e")
    store.append([change(), hostile])
    assert store.load(NOW) == [change(), hostile]


def test_records_older_than_30_days_are_dropped_from_the_file(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "events.jsonl")
    old = change(NOW - timedelta(days=30, seconds=1), "old")
    edge = change(NOW - timedelta(days=30), "edge")
    store.append([old, edge, change()])
    assert [r.title for r in store.load(NOW)] == ["edge", "EKRAN-AS02 went offline"]
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["edge", "EKRAN-AS02 went offline"]


def test_damaged_and_foreign_lines_are_skipped(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "events.jsonl")
    store.append([change(title="first")])
    with store.path.open("ab") as stream:
        stream.write(b'{"ts": "2026-12-07T09:00:00Z", "sou')  # cut short by a crash
    store.append([change(title="second")])
    with store.path.open("ab") as stream:
        stream.write(b'[1, 2]\n{"ts": "x"}\n')
    assert [r.title for r in store.load(NOW)] == ["first", "second"]


def test_a_full_disk_keeps_the_records_and_writes_them_later_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EventStore(tmp_path / "events.jsonl")

    def no_space(*_args: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as full:
        full.setattr("app.connections.appending.write_all", no_space)
        with pytest.raises(EventsNotWrittenError) as caught:
            store.append([change(title="one")])
        assert "No space left on device" in str(caught.value)
        with pytest.raises(EventsNotWrittenError):
            store.append([change(title="two")])
        assert store.retry_pending() == 2
    assert [r.title for r in store.pending] == ["one", "two"]
    store.append([change(title="three")])
    assert store.pending == ()
    assert [r.title for r in store.load(NOW)] == ["one", "two", "three"]


def test_a_folder_that_cannot_be_created_is_reported_not_raised_raw(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = EventStore(blocker / "events.jsonl")
    with pytest.raises(EventsNotWrittenError):
        store.append([change()])
    assert len(store.pending) == 1


def test_an_action_from_the_audit_trail() -> None:
    entry = AuditEntry(
        NOW, "Production", "EKRAN-AS01", "admin", AuditAction.ISOLATE, AuditResult.FAILED, "409"
    )
    record = event_from_audit(entry)
    assert record.source is EventSource.ACTION
    assert record.severity is Severity.WARNING
    assert record.servers == ("EKRAN-AS01",)
    assert record.title == "Isolate EKRAN-AS01: failed"
    assert record.user == "admin"


def test_merging_drops_duplicates_and_puts_the_newest_first() -> None:
    older, newer = change(NOW - timedelta(minutes=1), "older"), change(NOW, "newer")
    assert merge_newest_first([older, newer], [newer]) == [newer, older]
