"""PasswordPrompt and the password source: keyring first, else ask; forget after a rejection."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.api.errors import AuthenticationError, AuthErrorKind
from app.connections import ConnectionProfile, ConnectionStore
from app.credentials import SERVICE, NullCredentialStore, Secret, entry_key
from app.logsetup import redact
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.profiles import MakeProfile
from tests.helpers.removal import removal_beside
from tests.ui.conftest import wait_until
from ui.connections.password_prompt import (
    NO_KEYRING_TIP,
    REJECTED_REASON,
    PasswordDialog,
    PasswordPrompt,
    password_source_for,
)
from ui.connections.repository import ConnectionRepository
from ui.tasks import TaskRunner


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


async def _visible_dialog(parent: QWidget) -> PasswordDialog:
    def find() -> PasswordDialog | None:
        shown = [d for d in parent.findChildren(PasswordDialog) if d.isVisible()]
        return shown[0] if shown else None

    await wait_until(lambda: find() is not None)
    dialog = find()
    assert dialog is not None
    return dialog


def _answer(qtbot: QtBot, dialog: PasswordDialog, password: str, *, remember: bool) -> None:
    qtbot.keyClicks(dialog.password_edit, password)
    dialog.remember_check.setChecked(remember)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


async def test_ask_resolves_with_the_answer_on_ok(
    window: QWidget, qtbot: QtBot, make_profile: MakeProfile
) -> None:
    profile = make_profile(name="Acme", username="ops")
    task = asyncio.ensure_future(
        PasswordPrompt().ask(window, profile, "The password was rejected.")
    )
    dialog = await _visible_dialog(window)
    assert dialog.windowTitle() == "Sign in to Acme"
    assert dialog.reason_label.text() == "The password was rejected."
    assert dialog.windowModality() == Qt.WindowModality.WindowModal

    _answer(qtbot, dialog, "pa55", remember=True)

    answer = await asyncio.wait_for(task, 20)
    assert answer is not None
    assert answer.password == Secret("pa55")
    assert answer.remember is True
    assert "pa55" not in repr(answer)


async def test_ask_resolves_to_none_on_cancel(window: QWidget, make_profile: MakeProfile) -> None:
    task = asyncio.ensure_future(PasswordPrompt().ask(window, make_profile(), None))
    dialog = await _visible_dialog(window)
    assert not dialog.reason_label.isVisibleTo(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert await asyncio.wait_for(task, 20) is None


async def test_remember_is_disabled_with_a_reason_when_unavailable(
    window: QWidget, make_profile: MakeProfile
) -> None:
    task = asyncio.ensure_future(
        PasswordPrompt().ask(window, make_profile(), None, remember_unavailable=NO_KEYRING_TIP)
    )
    dialog = await _visible_dialog(window)
    assert not dialog.remember_check.isEnabled()
    assert dialog.remember_check.toolTip() == NO_KEYRING_TIP
    dialog.reject()
    assert await asyncio.wait_for(task, 20) is None


async def _saved(repository: ConnectionRepository, profile: ConnectionProfile) -> None:
    task = repository.add(profile, None)
    assert task is not None
    await task


async def test_source_uses_the_keyring_without_asking(
    repository: ConnectionRepository,
    keyring_backend: MemoryKeyring,
    window: QWidget,
    make_profile: MakeProfile,
) -> None:
    profile = make_profile(remember_password=True)
    await _saved(repository, profile)
    keyring_backend.entries[(SERVICE, entry_key(profile.id, "admin"))] = "from-keyring"
    source = password_source_for(profile, repository, PasswordPrompt(), window)

    assert await source() == "from-keyring"
    assert window.findChildren(PasswordDialog) == []
    assert "from-keyring" not in repr(source)


async def test_source_asks_remembers_caches_and_asks_again_after_forget(
    repository: ConnectionRepository,
    keyring_backend: MemoryKeyring,
    window: QWidget,
    qtbot: QtBot,
    make_profile: MakeProfile,
) -> None:
    profile = make_profile(remember_password=False)
    await _saved(repository, profile)
    source = password_source_for(profile, repository, PasswordPrompt(), window)

    first = asyncio.ensure_future(source())
    dialog = await _visible_dialog(window)
    assert dialog.reason_label.text() == ""
    _answer(qtbot, dialog, "typed-once", remember=True)
    assert await asyncio.wait_for(first, 20) == "typed-once"
    assert keyring_backend.entries[(SERVICE, entry_key(profile.id, "admin"))] == "typed-once"
    assert redact("login failed for typed-once") == "login failed for ***"

    assert await source() == "typed-once"  # kept for the session: no second prompt
    await wait_until(lambda: not window.findChildren(PasswordDialog))

    source.forget()
    again = asyncio.ensure_future(source())
    dialog = await _visible_dialog(window)  # the rejected keyring password is not reused
    assert dialog.reason_label.text() == REJECTED_REASON
    _answer(qtbot, dialog, "typed-twice", remember=False)
    assert await asyncio.wait_for(again, 20) == "typed-twice"
    assert keyring_backend.entries[(SERVICE, entry_key(profile.id, "admin"))] == "typed-once"


async def test_cancelling_the_prompt_raises_authentication_error(
    repository: ConnectionRepository, window: QWidget, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    await _saved(repository, profile)
    source = password_source_for(profile, repository, PasswordPrompt(), window)
    pending = asyncio.ensure_future(source())
    dialog = await _visible_dialog(window)
    dialog.reject()
    with pytest.raises(AuthenticationError) as caught:
        await asyncio.wait_for(pending, 20)
    assert caught.value.message == "No password was entered."
    assert caught.value.kind is AuthErrorKind.BAD_CREDENTIALS


async def test_source_of_a_transient_connection_uses_its_memory_password(
    repository: ConnectionRepository,
    keyring_backend: MemoryKeyring,
    window: QWidget,
    make_profile: MakeProfile,
) -> None:
    demo = make_profile(name="Demo")
    repository.add_transient(demo)
    repository.set_transient_password(demo.id, Secret("demo-pw"))
    source = password_source_for(demo, repository, PasswordPrompt(), window)
    assert await source() == "demo-pw"
    assert keyring_backend.entries == {}


async def test_without_keyring_the_prompt_cannot_remember(
    store: ConnectionStore, runner: TaskRunner, window: QWidget, make_profile: MakeProfile
) -> None:
    credentials = NullCredentialStore("no keyring in this test")
    repository = ConnectionRepository(
        store, credentials, runner, removal_beside(store, credentials)
    )
    profile = make_profile()
    await _saved(repository, profile)
    source = password_source_for(profile, repository, PasswordPrompt(), window)
    pending = asyncio.ensure_future(source())
    dialog = await _visible_dialog(window)
    assert not dialog.remember_check.isEnabled()
    assert dialog.remember_check.toolTip() == NO_KEYRING_TIP
    dialog.reject()
    with pytest.raises(AuthenticationError):
        await asyncio.wait_for(pending, 20)
