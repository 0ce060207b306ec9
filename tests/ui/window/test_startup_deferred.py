"""The window paints first and builds the rest right after; what the user does before
then still works (opening a connection, the re-opening of the last one, closing)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QApplication

from app.connections import ConnectionStore
from app.credentials import CredentialStore, DeferredCredentialStore, NullCredentialStore, Secret
from app.paths import AppPaths
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, close_window, wait_for_health_round, wait_for_rows
from ui.app import build_services
from ui.main_window import MainWindow
from ui.settings import WindowSettings


async def test_the_rest_is_built_after_the_first_paint_without_being_asked(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    assert not window.started  # shown, not painted yet: nothing beyond the first frame
    assert not window.services.opened_history.made
    await wait_until(lambda: window.started)  # asks for nothing: the window does it
    assert window.services.opened_history.made
    sessions = window.sessions
    await window.finish_start()  # idempotent: built once
    assert window.sessions is sessions
    assert window.findChild(type(window.events.panel), "eventsPanel") is window.events.panel


async def test_a_connection_opened_before_the_rest_is_built_opens(
    make_window: MakeWindow, shared_simulator: SimulatorProcess
) -> None:
    window = make_window()
    profile = simulator_profile(shared_simulator, name="Opened at once")
    window.repository.add_transient(profile)
    window.repository.set_transient_password(profile.id, Secret(shared_simulator.info.password))
    assert not window.started
    window.connections_pane.connection_activated.emit(profile)  # a double-click, at once
    assert window.started  # built on demand
    sessions = window.sessions
    await wait_for_rows(window, 4)
    await wait_for_health_round(window)
    await window.finish_start()
    assert window.sessions is sessions  # the later start did not build a second set
    current = window.sessions.current
    assert current is not None
    assert current.id == profile.id


async def test_the_last_connection_reopens_at_start(
    make_window: MakeWindow,
    shared_simulator: SimulatorProcess,
    home: AppPaths,
    settings_file: Path,
    keyring_backend: MemoryKeyring,
) -> None:
    profile = simulator_profile(shared_simulator, name="Used last", remember_password=True)
    ConnectionStore(home).add(profile)
    CredentialStore(keyring_backend).set(profile, shared_simulator.info.password)
    settings = WindowSettings.in_file(settings_file)
    settings.set_last_connection_id(profile.id)
    settings.sync()
    window = make_window()
    assert not window.started
    # Nothing here asks for the sessions: the window re-opens the connection by itself.
    await wait_until(lambda: window.started and window.sessions.current is not None)
    current = window.sessions.current
    assert current is not None
    assert current.id == profile.id
    await wait_for_rows(window, 4)
    await wait_for_health_round(window)


async def test_closing_at_once_waits_for_the_start_and_leaves_nothing(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    await asyncio.sleep(0)
    await close_window(window)
    this_task = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not this_task and not t.done()] == []


async def test_the_keyring_is_looked_for_after_the_first_paint_off_the_window_thread(
    home: AppPaths, settings_file: Path
) -> None:
    searched_in: list[threading.Thread] = []

    def find() -> CredentialStore:
        searched_in.append(threading.current_thread())
        return NullCredentialStore("no keyring in this test")

    services = build_services(
        home, WindowSettings.in_file(settings_file), DeferredCredentialStore(find)
    )
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    quit_on_close = qt_app.quitOnLastWindowClosed()
    qt_app.setQuitOnLastWindowClosed(False)  # as ui.app does: the window closes after shutdown
    window = MainWindow(services)
    try:
        window.start()
        window.show()
        assert searched_in == []  # not for the first paint
        _ = window.sessions  # built on demand before the first paint: the notice still comes
        await wait_until(lambda: bool(searched_in))
        assert searched_in == [searched_in[0]]
        assert searched_in[0] is not threading.main_thread()
        await wait_until(
            lambda: any(
                "Passwords cannot be remembered" in notice.message
                for notice in window.status._notices
            )
        )
    finally:
        await close_window(window)
        window.deleteLater()
        await wait_until(lambda: not shiboken6.isValid(window))
        for parentless in (services.repository, services.runner, services.settings.qsettings):
            shiboken6.delete(parentless)
        qt_app.setQuitOnLastWindowClosed(quit_on_close)
