"""ActionJournal: own isolation changes marked for the alert engine and the load history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.alerts import AlertEngine, AlertKind
from app.history import EventKind, HistoryStore
from app.monitor import SnapshotReceived
from tests.ui.cluster.support import isolated, servers, snapshot
from tests.ui.graphs.history_data import CONNECTION, START
from ui.window.action_journal import ActionJournal, action_text


def test_action_texts() -> None:
    assert action_text("AS1", isolate=True, reason="Updates") == "AS1 isolated by you: Updates"
    assert action_text("AS1", isolate=True, reason=None) == "AS1 isolated by you"
    assert action_text("AS1", isolate=False, reason="x") == "AS1 returned to service by you"


def test_the_engine_says_by_you_and_the_history_marks_the_change() -> None:
    now = [datetime(2026, 11, 25, 13, 50, tzinfo=UTC)]
    engine = AlertEngine(clock=lambda: now[0])
    history = HistoryStore()
    journal = ActionJournal(history, engine, clock=lambda: START)
    engine.feed(CONNECTION, "Production", SnapshotReceived(snapshot(servers(2))))

    journal.about_to_change(CONNECTION, "as-02", isolate=True)
    journal.changed(CONNECTION, "as-02", "EKRAN-AS02", isolate=True, reason="Updates")
    now[0] += timedelta(seconds=2)
    after = [servers(2)[0], isolated(2, clients=10)]
    alerts = engine.feed(CONNECTION, "Production", SnapshotReceived(snapshot(after)))

    assert [(a.kind, a.title) for a in alerts] == [
        (AlertKind.ISOLATED, "EKRAN-AS02 was isolated by you")
    ]
    events = history.events(CONNECTION, 0.0, float("inf"))
    assert [(e.kind, e.server_id, e.at, e.text) for e in events] == [
        (EventKind.ACTION, "as-02", START, "EKRAN-AS02 isolated by you: Updates")
    ]
