"""ServerActions: enabled state, reasons, menus and what each action emits."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.api.models import ServerStatus
from tests.ui.window.conftest import Own
from tests.ui.window.servers import profile, server, status
from ui.settings import WindowSettings
from ui.window.action_rules import ActionId
from ui.window.server_actions import ServerActions

EXPECTED_TEXTS = {
    ActionId.ISOLATE: "Isolate…",
    ActionId.RETURN_TO_SERVICE: "Return to service",
    ActionId.CHECK_VERSION: "Check version…",
    ActionId.DOWNLOAD_LOGS: "Download logs…",
    ActionId.HEALTH_DETAILS: "Health details…",
    ActionId.OPEN_IN_BROWSER: "Open Management Tool in browser",
    ActionId.COPY_NAME: "Copy name",
    ActionId.COPY_ADDRESS: "Copy address",
    ActionId.REFRESH: "Refresh",
}


def make_actions(owned: Own) -> tuple[QWidget, ServerActions]:
    host = owned(QWidget())
    return host, ServerActions(host)


def test_every_action_has_a_name_text_icon_and_accessible_name(qtbot: QtBot, owned: Own) -> None:
    _host, actions = make_actions(owned)
    for action_id, text in EXPECTED_TEXTS.items():
        action = actions.action(action_id)
        assert action.objectName() == action_id.value
        assert action.text().replace("&", "") == text
        assert not action.icon().isNull()
        assert action.property("accessibleName")
    assert actions.action(ActionId.REFRESH).shortcut().toString() == "F5"


def test_update_for_sets_the_reason_in_tooltip_and_status_tip(qtbot: QtBot, owned: Own) -> None:
    _host, actions = make_actions(owned)
    offline = server(3, ServerStatus.OFFLINE)
    actions.update_for([offline], profile(), status())
    logs = actions.action(ActionId.DOWNLOAD_LOGS)
    assert not logs.isEnabled()
    reason = "EKRAN-AS03 is offline: logs can only be downloaded while it runs."
    assert logs.statusTip() == reason
    assert logs.toolTip() == f"Download logs: {reason}"

    actions.update_for([server(1)], profile(read_only=True), status())
    assert not actions.action(ActionId.ISOLATE).isVisible()
    assert not actions.action(ActionId.RETURN_TO_SERVICE).isVisible()
    assert actions.action(ActionId.DOWNLOAD_LOGS).isEnabled()


def test_triggering_emits_the_servers_the_action_applies_to(qtbot: QtBot, owned: Own) -> None:
    _host, actions = make_actions(owned)
    online, isolated = server(1), server(2, ServerStatus.ISOLATED)
    actions.update_for([online, isolated], profile(), status())
    with qtbot.waitSignal(actions.isolate_requested) as isolate:
        actions.action(ActionId.ISOLATE).trigger()
    assert isolate.args == [[online]]
    with qtbot.waitSignal(actions.return_requested) as back:
        actions.action(ActionId.RETURN_TO_SERVICE).trigger()
    assert back.args == [[isolated]]
    with qtbot.waitSignal(actions.logs_requested) as logs:
        actions.action(ActionId.DOWNLOAD_LOGS).trigger()
    assert logs.args == [[online, isolated]]


def test_a_disabled_action_emits_nothing(qtbot: QtBot, owned: Own) -> None:
    _host, actions = make_actions(owned)
    actions.update_for([], profile(), status())
    with qtbot.assertNotEmitted(actions.isolate_requested):
        actions.action(ActionId.ISOLATE).trigger()


def test_copy_puts_names_and_addresses_on_the_clipboard(qtbot: QtBot, owned: Own) -> None:
    _host, actions = make_actions(owned)
    actions.update_for([server(1), server(2)], profile(), status())
    actions.action(ActionId.COPY_NAME).trigger()
    assert QGuiApplication.clipboard().text() == "EKRAN-AS01\nEKRAN-AS02"
    actions.action(ActionId.COPY_ADDRESS).trigger()
    assert QGuiApplication.clipboard().text() == "10.0.0.1\n10.0.0.2"


def test_context_menu_and_toolbar_hold_the_actions(qtbot: QtBot, owned: Own) -> None:
    host, actions = make_actions(owned)
    menu = actions.context_menu(host)
    names = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    assert names == [
        "actionIsolate",
        "actionReturnToService",
        "actionCheckVersion",
        "actionHealthDetails",
        "actionDownloadLogs",
        "actionOpenInBrowser",
        "actionCopyName",
        "actionCopyAddress",
        "actionRefresh",
    ]
    toolbar = actions.build_toolbar(host)
    assert "actionIsolate" in [a.objectName() for a in toolbar.actions()]


def test_window_settings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    settings = WindowSettings.in_file(path)
    assert settings.geometry() is None
    assert settings.last_connection_id() is None
    assert settings.last_download_folder() is None
    settings.set_geometry(QByteArray(b"geometry"))
    settings.set_splitter_state(QByteArray(b"splitter"))
    settings.set_last_connection_id("c-1")
    settings.set_last_download_folder(tmp_path)
    settings.sync()

    again = WindowSettings.in_file(path)
    assert again.geometry() == QByteArray(b"geometry")
    assert again.splitter_state() == QByteArray(b"splitter")
    assert again.window_state() is None
    assert again.last_connection_id() == "c-1"
    assert again.last_download_folder() == tmp_path
    again.set_last_connection_id(None)
    assert again.last_connection_id() is None


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_open_in_browser_opens_the_servers_management_tool(qtbot: QtBot, owned: Own) -> None:
    _host, actions = make_actions(owned)
    catcher = owned(_UrlCatcher())
    QDesktopServices.setUrlHandler("https", catcher, "open")
    try:
        actions.update_for([server(1)], profile(), status())
        actions.action(ActionId.OPEN_IN_BROWSER).trigger()
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert catcher.urls == ["https://as01.example/EkranSystem"]
