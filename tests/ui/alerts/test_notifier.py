"""AlertNotifier: engine alerts to tray balloons, or to the window when there is no tray."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from app.alerts import Alert, AlertEngine, AlertKind, Severity
from app.api.models import ServerStatus
from app.monitor import SnapshotReceived
from tests.ui.alerts.fakes import FakeTray, alert
from tests.ui.cluster.support import NOW, server, servers, snapshot
from ui.alerts.notifier import (
    MESSAGE_MS,
    OPEN_HINT,
    AlertNotifier,
    alert_notice,
    message_text,
    summary_text,
)
from ui.alerts.tray_icon import TrayIcon

CONNECTION = "c0ffee00-0000-4000-8000-000000000001"


def test_message_names_the_connection_once() -> None:
    assert message_text(alert()) == ("EKRAN-AS02 went offline", "Seen in Production.")
    lost = alert(AlertKind.CONNECTION_LOST, title="Lost connection to Production", body="x")
    assert message_text(lost) == ("Lost connection to Production", "x")
    detail = alert(AlertKind.ISOLATED, title="EKRAN-AS02 was isolated", body="Reason: Updates")
    assert message_text(detail) == ("EKRAN-AS02 was isolated", "Production: Reason: Updates")


def test_as_a_notice_an_alert_is_one_line_and_warnings_are_problems() -> None:
    notice = alert_notice(alert())
    assert notice.message == "EKRAN-AS02 went offline. Seen in Production."
    assert notice.error
    info = alert_notice(alert(AlertKind.BACK_ONLINE, Severity.INFO, "EKRAN-AS02 is back online"))
    assert not info.error


def test_with_a_tray_the_alerts_raised_together_share_one_summary_balloon() -> None:
    tray = TrayIcon()
    backend = FakeTray()
    tray.set_backend(backend)
    fallen_back: list[Alert] = []
    notifier = AlertNotifier(tray, fallen_back.append)
    shown: list[object] = []
    notifier.alert_shown.connect(shown.append)
    info = alert(AlertKind.BACK_ONLINE, Severity.INFO, "EKRAN-AS01 is back online")
    critical = alert()
    notifier.notify(info)
    notifier.notify(critical)
    assert backend.messages == []  # shown when the event loop turns
    notifier.flush()
    assert backend.messages == [
        (
            "2 new events in Production",
            f"EKRAN-AS02 went offline; EKRAN-AS01 is back online. {OPEN_HINT}",
            QSystemTrayIcon.MessageIcon.Critical,
            MESSAGE_MS[Severity.CRITICAL],
        )
    ]
    notifier.notify(info)
    notifier.flush()
    assert backend.messages[-1] == (
        "EKRAN-AS01 is back online",
        f"Seen in Production. {OPEN_HINT}",
        QSystemTrayIcon.MessageIcon.Information,
        MESSAGE_MS[Severity.INFO],
    )
    assert fallen_back == []
    assert shown == [info, critical, info]
    assert notifier.recent == [info, critical, info]


def test_a_summary_lists_three_titles_and_counts_the_rest() -> None:
    alerts = [alert(title=f"EKRAN-AS0{n} went offline") for n in range(1, 6)]
    title, body = summary_text(alerts)
    assert title == "5 new events in Production"
    assert body.startswith("EKRAN-AS01 went offline; EKRAN-AS02 went offline; EKRAN-AS03")
    assert "; and 2 more." in body
    mixed = [alert(), alert(connection_name="Lab")]
    assert summary_text(mixed)[0] == "2 new events"


def test_the_summary_balloon_appears_by_itself(qtbot: QtBot) -> None:
    tray = TrayIcon()
    backend = FakeTray()
    tray.set_backend(backend)
    notifier = AlertNotifier(tray, lambda _alert: None)
    notifier.notify(alert())
    qtbot.waitUntil(lambda: len(backend.messages) == 1)


def test_without_a_tray_alerts_go_to_the_fallback() -> None:
    fallen_back: list[Alert] = []
    notifier = AlertNotifier(TrayIcon(), fallen_back.append)
    notifier.notify(alert())
    assert fallen_back == [alert()]
    notifier_without_tray = AlertNotifier(None, fallen_back.append)
    notifier_without_tray.notify(alert(title="other"))
    assert [a.title for a in fallen_back] == ["EKRAN-AS02 went offline", "other"]


def test_attached_to_an_engine_it_shows_what_the_engine_raises() -> None:
    now = [datetime(2026, 11, 25, 13, 50, tzinfo=UTC)]
    engine = AlertEngine(clock=lambda: now[0])
    fallen_back: list[Alert] = []
    notifier = AlertNotifier(None, fallen_back.append)
    detach = notifier.attach(engine)
    engine.feed(CONNECTION, "Production", SnapshotReceived(snapshot(servers(3))))  # baseline
    assert fallen_back == []
    offline = [server(1), server(2, status=ServerStatus.OFFLINE, clients=0), server(3)]
    now[0] += timedelta(seconds=5)
    engine.feed(CONNECTION, "Production", SnapshotReceived(snapshot(offline, received_at=NOW)))
    assert [(a.kind, a.title) for a in fallen_back] == [
        (AlertKind.OFFLINE, "EKRAN-AS02 went offline")
    ]
    detach()
    engine.feed(CONNECTION, "Production", SnapshotReceived(snapshot(servers(3))))
    assert len(fallen_back) == 1
