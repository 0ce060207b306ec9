"""ConnectionsPane: the tree over the repository, its actions and their dialogs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.connections import ConnectionProfile, ConnectionStore, EnvironmentTag
from app.credentials import SERVICE, Secret, entry_key
from app.monitor import ConnectionState, MonitorStatus
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.profiles import MakeProfile
from tests.ui.conftest import wait_until
from ui.connections.connection_tree_model import ConnectionRole
from ui.connections.connections_pane import ConnectionsPane
from ui.connections.password_prompt import PasswordDialog
from ui.connections.repository import ConnectionRepository
from ui.tasks import TaskRunner

ACTION_NAMES = {
    "actionConnect",
    "actionAddConnection",
    "actionEditConnection",
    "actionDuplicateConnection",
    "actionRemoveConnection",
    "actionImportConnections",
    "actionExportConnections",
}


@pytest.fixture
def pane(qtbot: QtBot, repository: ConnectionRepository, runner: TaskRunner) -> ConnectionsPane:
    widget = ConnectionsPane(repository, runner)
    qtbot.addWidget(widget)
    widget.show()
    return widget


async def _add(repository: ConnectionRepository, profile: ConnectionProfile) -> None:
    task = repository.add(profile, Secret("pw") if profile.remember_password else None)
    assert task is not None
    await task


def _action(pane: ConnectionsPane, name: str) -> object:
    return next(a for a in pane.actions() if a.objectName() == name)


async def test_actions_have_names_shortcuts_and_reasons_when_disabled(
    pane: ConnectionsPane,
) -> None:
    assert {a.objectName() for a in pane.actions()} == ACTION_NAMES
    assert pane.view.objectName() == "connectionList"
    assert pane.view.accessibleName() == "Connections"
    assert pane.commands.add.shortcut().toString() == "Ctrl+N"
    assert [s.toString() for s in pane.commands.edit.shortcuts()] == ["F2", "Ctrl+E"]
    assert pane.commands.remove.shortcut().toString() == "Del"
    assert pane.commands.add.text().endswith("…")
    assert not pane.commands.edit.isEnabled()
    assert pane.commands.edit.toolTip() == "Select a connection to edit it."
    assert not pane.commands.remove.isEnabled()
    assert not pane.commands.export.isEnabled()


async def test_tree_follows_the_repository_and_selection_is_reported(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile
) -> None:
    acme = make_profile(name="Acme", group="Customers", tag=EnvironmentTag.PRODUCTION)
    await _add(repository, acme)
    await _add(repository, make_profile(name="Lab"))

    assert pane.model.rowCount() == 2
    customers = pane.model.folder_index("Customers")
    assert pane.view.isExpanded(customers)

    reported: list[object] = []
    pane.current_changed.connect(reported.append)
    assert pane.select(acme.id)
    assert reported == [acme]
    assert pane.current_profile() == acme
    assert pane.commands.edit.isEnabled()
    assert pane.commands.edit.toolTip().startswith("Change the settings")


async def test_enter_and_connect_emit_connection_activated(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile, qtbot: QtBot
) -> None:
    profile = make_profile()
    await _add(repository, profile)
    pane.select(profile.id)
    pane.view.setFocus()
    activated: list[object] = []
    pane.connection_activated.connect(activated.append)

    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    pane.commands.connect.trigger()

    assert activated == [profile, profile]


async def test_status_reaches_the_row(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    await _add(repository, profile)
    pane.set_status(profile.id, MonitorStatus(state=ConnectionState.CONNECTED))
    index = pane.model.index_of(profile.id)
    assert index.data(ConnectionRole.STATE) == ConnectionState.CONNECTED
    pane.clear_status(profile.id)
    assert index.data(ConnectionRole.STATE) == ConnectionState.IDLE


async def test_add_opens_the_dialog_and_saves_and_selects_the_result(
    pane: ConnectionsPane,
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    qtbot: QtBot,
) -> None:
    pane.commands.add.trigger()
    dialog = pane.connection_dialog
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.form.name_edit, "New cluster")
    dialog.form.url_editor.add_url("mt01.corp.example")
    qtbot.keyClicks(dialog.form.username_edit, "admin")
    qtbot.keyClicks(dialog.form.password_edit, "typed")

    dialog.ok_button.click()

    await wait_until(lambda: pane.current_profile() is not None)
    saved = store.load().profiles
    assert [p.name for p in saved] == ["New cluster"]
    assert pane.current_profile() == saved[0]
    assert keyring_backend.entries[(SERVICE, entry_key(saved[0].id, "admin"))] == "typed"


async def test_edit_saves_changes_and_keeps_the_password(
    pane: ConnectionsPane,
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    make_profile: MakeProfile,
) -> None:
    profile = make_profile(name="Old name", remember_password=True)
    await _add(repository, profile)
    pane.select(profile.id)

    pane.commands.edit.trigger()
    dialog = pane.connection_dialog
    assert dialog is not None
    assert dialog.form.name_edit.text() == "Old name"
    await wait_until(lambda: dialog.form.saved_password_label.text().startswith("A password"))
    dialog.form.name_edit.setText("New name")
    dialog.ok_button.click()

    await wait_until(lambda: [p.name for p in repository.profiles()] == ["New name"])
    assert [p.name for p in store.load().profiles] == ["New name"]
    assert keyring_backend.entries[(SERVICE, entry_key(profile.id, "admin"))] == "pw"


async def test_duplicate_selects_the_copy(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile
) -> None:
    profile = make_profile(name="Acme")
    await _add(repository, profile)
    pane.select(profile.id)
    pane.commands.duplicate.trigger()
    await wait_until(
        lambda: (current := pane.current_profile()) is not None and current.name == "Acme (copy)"
    )


async def test_remove_asks_first_then_deletes_profile_and_password(
    pane: ConnectionsPane,
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    runner: TaskRunner,
    make_profile: MakeProfile,
) -> None:
    profile = make_profile(name="Doomed", remember_password=True)
    await _add(repository, profile)
    pane.select(profile.id)

    pane.commands.remove.trigger()
    box = pane.remove_box
    assert box is not None
    assert box.isVisible()
    assert '"Doomed"' in box.text()
    assert "saved password" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert runner.pending == 0  # cancelled: no removal was started
    assert repository.profiles() == [profile]

    pane.commands.remove.trigger()
    box = pane.remove_box
    assert box is not None
    confirm = box.findChild(QPushButton, "confirmRemoveButton")
    assert confirm is not None
    confirm.click()

    await wait_until(lambda: pane.model.rowCount() == 0)  # after the whole removal
    assert store.load().profiles == []
    assert keyring_backend.entries == {}


async def test_export_selected_then_import(
    pane: ConnectionsPane,
    repository: ConnectionRepository,
    make_profile: MakeProfile,
    tmp_path: Path,
) -> None:
    chosen, other = make_profile(name="Chosen"), make_profile(name="Other")
    await _add(repository, chosen)
    await _add(repository, other)
    pane.select(chosen.id)
    target = tmp_path / "chosen.json"

    pane.commands.export.trigger()
    dialog = pane.file_dialog
    assert dialog is not None
    assert dialog.objectName() == "exportFileDialog"
    assert dialog.windowTitle() == "Export 1 connection"
    dialog.selectFile(str(target))
    dialog.accept()

    await wait_until(target.exists)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert [entry["name"] for entry in exported["connections"]] == ["Chosen"]
    await wait_until(lambda: pane.messages.text().startswith("Exported 1 connection"))

    pane.commands.import_.trigger()
    dialog = pane.file_dialog
    assert dialog is not None
    assert dialog.objectName() == "importFileDialog"
    dialog.selectFile(str(target))
    dialog.accept()

    await wait_until(lambda: len(repository.profiles()) == 3)
    assert "Chosen (imported)" in {p.name for p in repository.profiles()}
    assert pane.messages.text() == "Imported 1 connection from chosen.json."


async def test_failures_are_shown_in_the_message_bar(
    pane: ConnectionsPane, repository: ConnectionRepository
) -> None:
    repository.operation_failed.emit("The connections could not be saved.")
    assert pane.messages.isVisibleTo(pane)
    assert pane.messages.text() == "The connections could not be saved."
    assert pane.messages.accessibleName() == "Error: The connections could not be saved."
    pane.messages.dismiss()
    assert not pane.messages.isVisibleTo(pane)


async def test_context_menu_offers_connect_and_the_actions(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    await _add(repository, profile)
    pane.select(profile.id)
    rect = pane.view.visualRect(pane.model.index_of(profile.id))
    pane.view.customContextMenuRequested.emit(rect.center())
    menu = pane.context_menu
    await wait_until(menu.isVisible)
    names = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    assert names[0] == "actionConnect"
    assert set(names) == ACTION_NAMES
    menu.hide()


async def test_transient_connection_is_marked_and_removed_without_touching_disk(
    pane: ConnectionsPane,
    repository: ConnectionRepository,
    store: ConnectionStore,
    make_profile: MakeProfile,
) -> None:
    demo = make_profile(name="Demo cluster")
    repository.add_transient(demo)
    index = pane.model.index_of(demo.id)
    assert index.data(ConnectionRole.TRANSIENT) is True
    pane.select(demo.id)
    pane.commands.remove.trigger()
    box = pane.remove_box
    assert box is not None
    assert "not saved" in box.informativeText()
    confirm = box.findChild(QPushButton, "confirmRemoveButton")
    assert confirm is not None
    confirm.click()
    assert pane.model.rowCount() == 0
    assert not store.path.exists()


async def test_password_source_prompts_over_the_pane(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    await _add(repository, profile)
    source = pane.password_source(profile)
    pending = asyncio.ensure_future(source())
    await wait_until(lambda: any(d.isVisible() for d in pane.findChildren(PasswordDialog)))
    dialog = next(d for d in pane.findChildren(PasswordDialog) if d.isVisible())
    dialog.password_edit.setText("from-prompt")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert await asyncio.wait_for(pending, 20) == "from-prompt"


async def test_one_click_shows_the_connection_and_ctrl_click_only_selects(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile, qtbot: QtBot
) -> None:
    first, second = make_profile(name="Alpha"), make_profile(name="Beta")
    await _add(repository, first)
    await _add(repository, second)
    activated: list[object] = []
    pane.connection_activated.connect(activated.append)

    rect = pane.view.visualRect(pane.model.index_of(second.id))
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated == [second]
    assert pane.current_profile() == second  # the highlighted one is the one shown

    rect = pane.view.visualRect(pane.model.index_of(first.id))
    qtbot.mouseClick(
        pane.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        rect.center(),
    )
    assert activated == [second]  # extending the selection opens nothing


@pytest.mark.parametrize("chars", [20, 28, 60])
async def test_markers_never_take_the_room_of_the_name(
    pane: ConnectionsPane, repository: ConnectionRepository, make_profile: MakeProfile, chars: int
) -> None:
    profile = make_profile(
        name="Datacenter East production", tag=EnvironmentTag.PRODUCTION, read_only=True
    )
    await _add(repository, profile)
    pane.resize(pane.fontMetrics().averageCharWidth() * chars, 300)
    index = pane.model.index_of(profile.id)
    option = QStyleOptionViewItem()
    pane.view.initViewItemOption(option)
    pane.delegate.initStyleOption(option, index)
    option.rect = pane.view.visualRect(index)
    metrics = option.fontMetrics
    room = pane.delegate.name_width(option, index)
    shown = metrics.elidedText(profile.name, Qt.TextElideMode.ElideMiddle, room)
    assert len(shown.replace("…", "")) >= 12, (chars, shown)
    form = pane.delegate.markers_form(profile, option, index)
    if chars >= 60:
        assert form is False  # room for the full markers: "Production", "read-only"
    assert pane.view.textElideMode() is Qt.TextElideMode.ElideMiddle
