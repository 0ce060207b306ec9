"""EventsRecorder and the panel without a network: changes and actions in, the journal
written off the UI thread, a refusing disk reported once and caught up, CSV export."""

from __future__ import annotations

import asyncio
import csv
import errno
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shiboken6

from app.alerts import AlertEngine, AlertKind
from app.api.attempts import EndpointAttempt
from app.api.models import ServerStatus
from app.audit import AuditAction, AuditLog, AuditResult
from app.events import EventSource, EventStore, write_csv
from app.monitor import ConnectionState, MonitorStatus, SnapshotReceived
from tests.ui.cluster.support import server, snapshot
from tests.ui.conftest import next_emission, wait_until
from ui.events.events_model import EventsTableModel
from ui.events.events_panel import EventsPanel
from ui.events.events_recorder import EventsRecorder
from ui.tasks import TaskRunner

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CONNECTION = "c0ffee00-0000-4000-8000-000000000001"


class Parts:
    def __init__(self, folder: Path) -> None:
        self.runner = TaskRunner()
        self.model = EventsTableModel()
        self.store = EventStore(folder / "events.jsonl")
        self.audit = AuditLog(folder / "audit.jsonl")
        self.engine = AlertEngine(clock=lambda: NOW)
        self.recorder = EventsRecorder(self.store, self.model, self.runner, audit=self.audit)
        self.recorder.attach(self.engine)

    def feed(self, *statuses: ServerStatus) -> None:
        servers = [server(n, status=s) for n, s in enumerate(statuses, 1)]
        self.engine.feed(CONNECTION, "Production", SnapshotReceived(snapshot(servers)))

    async def close(self) -> None:
        self.recorder.detach()
        await self.runner.shutdown()
        for obj in (self.recorder, self.model, self.runner):
            shiboken6.delete(obj)


@pytest.fixture
def parts(tmp_path: Path) -> Parts:
    return Parts(tmp_path)


async def test_changes_and_actions_are_shown_and_journaled(parts: Parts) -> None:
    parts.recorder.start()
    await next_emission(parts.recorder.loaded)
    parts.feed(ServerStatus.ONLINE, ServerStatus.ONLINE)
    parts.feed(ServerStatus.ONLINE, ServerStatus.OFFLINE)
    await asyncio.to_thread(
        parts.audit.append,
        connection="Production",
        server="as-01",
        user="admin",
        action=AuditAction.VERSION,
        result=AuditResult.OK,
    )
    await wait_until(lambda: parts.model.rowCount() == 2)
    assert [r.source for r in parts.model.records()] == [EventSource.ACTION, EventSource.CLUSTER]
    assert parts.model.record(1).kind == AlertKind.OFFLINE.value
    await wait_until(lambda: len(parts.store.load(NOW)) == 2)
    await parts.close()


async def test_a_refusing_disk_is_reported_once_and_the_events_written_later(
    parts: Parts, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts.recorder.start()
    await next_emission(parts.recorder.loaded)
    messages: list[tuple[object, ...]] = []
    parts.recorder.problem_reported.connect(lambda *args: messages.append(args))

    def no_space(*_args: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("app.connections.appending.write_all", no_space)
    parts.feed(ServerStatus.ONLINE, ServerStatus.ONLINE)
    parts.feed(ServerStatus.OFFLINE, ServerStatus.ONLINE)
    await wait_until(lambda: len(messages) == 1)
    parts.feed(ServerStatus.OFFLINE, ServerStatus.OFFLINE)
    await wait_until(lambda: len(parts.store.pending) == 2)
    assert len(messages) == 1
    text, problem = messages[0]
    assert problem is True
    assert "No space left on device" in str(text)
    assert "kept" in str(text)
    monkeypatch.undo()
    # the refused write's task ends after the store kept its events: the timer skips a
    # retry while a write is in progress, so it fires once that write has ended
    await wait_until(lambda: not parts.recorder._writing, what="the refused write's end")
    parts.recorder._on_retry_timer_timeout()  # what the 30 s timer does
    await wait_until(lambda: len(messages) == 2)
    assert messages[1] == ("The events kept in memory were written.", False)
    assert [r.servers for r in parts.store.load(NOW)] == [("EKRAN-AS01",), ("EKRAN-AS02",)]
    await parts.close()


async def test_closing_while_a_write_runs_waits_for_it(
    parts: Parts, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts.recorder.start()
    await next_emission(parts.recorder.loaded)
    release = threading.Event()
    real_append = parts.store.append

    def slow_append(records: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            release.wait(10)  # a slow disk under the worker: the window closes meanwhile
        real_append(records)

    monkeypatch.setattr(parts.store, "append", slow_append)
    parts.feed(ServerStatus.ONLINE, ServerStatus.ONLINE)
    parts.feed(ServerStatus.OFFLINE, ServerStatus.ONLINE)
    await wait_until(lambda: parts.recorder._writing, what="the write handed to a thread")
    parts.recorder.detach()
    await parts.runner.shutdown()  # cancels the task awaiting the thread
    threading.Timer(0.3, release.set).start()
    parts.recorder.flush_now()  # what the window does once closed
    assert [r.servers for r in parts.store.load(NOW)] == [("EKRAN-AS01",)]
    await parts.close()


async def test_the_panel_exports_what_it_shows(parts: Parts, tmp_path: Path) -> None:
    parts.recorder.start()
    await next_emission(parts.recorder.loaded)
    panel = EventsPanel(parts.model)
    assert panel.connection_names() == []
    parts.feed(ServerStatus.ONLINE, ServerStatus.ONLINE)
    parts.feed(ServerStatus.OFFLINE, ServerStatus.OFFLINE)
    try:
        assert panel.connection_names() == ["Production"]
        assert panel.count_label.text() == "1 event"
        panel.server_edit.setText("AS02")
        assert [r.servers for r in panel.shown_records()] == [("EKRAN-AS01", "EKRAN-AS02")]
        panel.server_edit.setText("nothing")
        assert panel.count_label.text() == "0 of 1 event"
        panel.server_edit.clear()
        panel.severity_box.setCurrentIndex(2)  # critical only
        shown = panel.shown_records()
        target = tmp_path / "events.csv"
        assert await asyncio.to_thread(write_csv, shown, target) == len(shown)
        with target.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.reader(stream))
        assert len(rows) == 1 + len(shown)
    finally:
        shiboken6.delete(panel)
        await parts.close()


async def test_a_move_to_another_servers_endpoint_is_an_event(parts: Parts) -> None:
    configured = "https://mt01.test/EkranSystem"
    other = "https://as03.test/EkranSystem"
    first = MonitorStatus(
        ConnectionState.CONNECTED,
        configured,
        last_success_at=NOW,
        attempts=(EndpointAttempt(configured, True, "answered"),),
    )
    moved = MonitorStatus(
        ConnectionState.CONNECTED,
        other,
        last_success_at=NOW,
        attempts=(
            EndpointAttempt(configured, False, "HTTP 503: not serving"),
            EndpointAttempt(other, True, "answered", from_cluster=True),
        ),
    )
    parts.recorder.note_status(CONNECTION, "Production", first)
    parts.recorder.note_status(CONNECTION, "Production", first)
    assert parts.model.rowCount() == 0
    parts.recorder.note_status(CONNECTION, "Production", moved)
    assert parts.model.rowCount() == 1
    record = parts.model.record(0)
    assert record.title == f"Now served by a server's own endpoint from the cluster {other}"
    assert record.text == (
        f"{configured}: HTTP 503: not serving; {other} (a server's own endpoint): answered"
    )
    await parts.close()
