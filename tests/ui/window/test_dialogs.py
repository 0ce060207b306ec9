"""The isolate, version, health, messages and About dialogs, without a cluster."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import app
from app.api.models import HealthEntry, HealthReport, HealthStatus, ServerStatus, VersionInfo
from app.monitor import ServerHealth
from tests.ui.window.conftest import Own
from tests.ui.window.servers import server
from ui.dialogs.about_dialog import AboutDialog
from ui.dialogs.error_details import ErrorDetailsDialog, Notice
from ui.dialogs.health_dialog import HealthDialog
from ui.dialogs.isolate_dialog import IsolateDialog
from ui.dialogs.version_dialog import VersionDialog


def test_isolate_dialog_shows_where_the_clients_go(qtbot: QtBot, owned: Own) -> None:
    servers = [server(1), server(2), server(3, ServerStatus.OFFLINE), server(4)]  # 10-40
    dialog = owned(IsolateDialog(servers, ["as-02"]))

    assert dialog.windowTitle() == "Isolate EKRAN-AS02"
    # The offline server's 30 Clients move as well; none go to it.
    assert "50 Clients move to the servers that stay" in dialog.summary_label.text()
    assert "20 Clients on EKRAN-AS02, and 30 still leaving EKRAN-AS03" in (
        dialog.summary_label.text()
    )
    assert dialog.impact_rows() == [["EKRAN-AS01", "10", "50"], ["EKRAN-AS04", "40", "50"]]
    assert dialog.warning_texts() == []
    assert dialog.warning_box.isHidden()
    assert dialog.ok_button.isEnabled()
    assert not dialog.force()
    assert dialog.reason() is None
    dialog.reason_edit.setText("  Windows updates ")
    assert dialog.reason() == "Windows updates"


def test_isolating_the_last_server_needs_its_name_typed(qtbot: QtBot, owned: Own) -> None:
    servers = [server(1, ServerStatus.ISOLATED), server(2)]
    dialog = owned(IsolateDialog(servers, ["as-02"]))
    dialog.show()

    assert dialog.impact.leaves_none_serving
    assert dialog.findChild(type(dialog.confirm_edit), "isolateConfirmName").isVisible()
    assert dialog.confirmation_text == "EKRAN-AS02"
    assert not dialog.ok_button.isEnabled()
    assert "Type EKRAN-AS02" in dialog.ok_button.toolTip()
    qtbot.keyClicks(dialog.confirm_edit, "ekran-as02")
    assert not dialog.ok_button.isEnabled()  # the exact name
    dialog.confirm_edit.setText("EKRAN-AS02")
    assert dialog.ok_button.isEnabled()
    assert dialog.force()


def test_isolate_dialog_refuses_servers_not_in_the_cluster() -> None:
    with pytest.raises(ValueError, match="none of the servers"):
        IsolateDialog([server(1)], ["as-09"])


def test_version_dialog_marks_versions_that_differ_from_the_majority(
    qtbot: QtBot, owned: Own
) -> None:
    servers = [server(1), server(2), server(3, version="9.1.0")]
    dialog = owned(VersionDialog(servers, ["as-01", "as-03"]))

    assert (
        dialog.summary_label.text() == "Most servers run 9.2.4; 1 server runs a different version."
    )
    assert dialog.live_text("as-01") == "Asking…"
    assert dialog.live_text("as-02") == "Not asked"
    assert dialog.is_marked("as-03")
    assert not dialog.is_marked("as-01")

    dialog.set_answer("as-01", VersionInfo(version="9.2.4", build="1270"))
    dialog.set_answer("as-03", VersionInfo(version="9.2.4"))  # upgraded since the last poll
    assert dialog.live_text("as-01") == "9.2.4 (build 1270)"
    assert not dialog.is_marked("as-03")
    dialog.set_failure("as-01", "EKRAN-AS01 is not running.")
    assert dialog.live_text("as-01") == "No answer"
    assert dialog.note_text("as-01") == "EKRAN-AS01 is not running."


def test_health_dialog_lists_the_entries_and_asks_for_a_live_check(
    qtbot: QtBot, owned: Own
) -> None:
    report = HealthReport(
        url="https://as01.example/EkranSystem",
        http_status=200,
        status=HealthStatus.DEGRADED,
        entries={
            "database": HealthEntry(status=HealthStatus.HEALTHY, duration="00:00:00.01"),
            "licensing": HealthEntry(status=HealthStatus.DEGRADED, description="Expires soon"),
        },
        ok=True,
    )
    checked = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    dialog = owned(HealthDialog(server(1), ServerHealth("as-01", checked, report=report)))
    assert dialog.entry_rows() == [("database", "Healthy"), ("licensing", "Degraded")]
    assert "Degraded (HTTP 200)" in dialog.summary()

    with qtbot.waitSignal(dialog.check_requested):
        dialog.check_button.click()
    assert not dialog.check_button.isEnabled()
    dialog.show_health(ServerHealth("as-01", checked, error="Connection refused"))
    assert dialog.check_button.isEnabled()
    assert dialog.entry_rows() == []
    assert "Connection refused" in dialog.summary()


def test_health_dialog_without_an_endpoint_cannot_check(qtbot: QtBot, owned: Own) -> None:
    dialog = owned(HealthDialog(server(4, management_url=None), None))
    assert not dialog.check_button.isEnabled()
    assert "no Management Tool endpoint" in dialog.check_button.toolTip()


def test_messages_dialog_shows_the_newest_first_with_its_detail(qtbot: QtBot, owned: Own) -> None:
    notices = [Notice("First problem", "detail one"), Notice("Second problem", "detail two")]
    dialog = owned(ErrorDetailsDialog(notices))
    assert dialog.list.count() == 2
    assert dialog.list.item(0).text().endswith("Second problem")
    assert dialog.detail.toPlainText() == "Second problem\n\ndetail two"
    dialog.list.setCurrentRow(1)
    assert dialog.detail.toPlainText() == "First problem\n\ndetail one"


def test_about_dialog_names_the_versions_and_the_log_folder(owned: Own, tmp_path: Path) -> None:
    dialog = owned(AboutDialog(tmp_path))
    versions = dialog.findChild(type(dialog.log_link), "aboutVersions").text()
    assert f"Version {app.__version__}" in versions
    assert "Qt 6." in versions
    assert "PySide6 6." in versions
    assert str(tmp_path) in dialog.log_link.text()


def test_isolate_dialog_warns_of_one_server_left_and_of_capacity(qtbot: QtBot, owned: Own) -> None:
    # AS02 isolated earlier still holds 20 Clients; isolating AS01 leaves AS03 alone.
    servers = [server(1), server(2, ServerStatus.ISOLATED), server(3)]
    problems = {"as-03": "unhealthy: HTTP 503", "as-01": "degraded"}  # AS01 leaves anyway
    dialog = owned(IsolateDialog(servers, ["as-01"], capacity=50, problems=problems))
    dialog.show()

    assert dialog.impact_rows() == [["EKRAN-AS03", "30", "60"]]
    assert dialog.warning_texts() == [
        "Only EKRAN-AS03 would stay in service: it would carry 60 Clients, with no other "
        "server to take them if it fails.",
        "EKRAN-AS03 would carry 60 Clients, more than the 50 per server this connection allows.",
        "EKRAN-AS03, which would stay in service, is unhealthy: HTTP 503.",
    ]
    assert dialog.warning_box.isVisible()
    assert dialog.impact_view.headerItem().text(2) == "After (limit 50)"
    assert "More than the 50" in (dialog.impact_view.topLevelItem(0).toolTip(2))
    assert dialog.ok_button.isEnabled()  # a warning, not a refusal
    assert not dialog.confirm_edit.isVisible()
