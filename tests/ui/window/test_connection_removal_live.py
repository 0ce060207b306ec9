"""Deleting a connection in the window and ``connections remove`` on the command line leave
the same state behind: no profile, no keyring entry, no alert settings and no load history,
while the other connections keep theirs.

Runs against the real system keyring (``python dev.py test`` starts a private, unlocked
Secret Service and sets ``EKRAN_TEST_REAL_KEYRING=required``; elsewhere the test skips
when no keyring is usable) and a real simulator that the window monitors, so the history
database holds real rows before each removal.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QPushButton

from app.alerts import AlertKind, AlertSettings
from app.alerts.settings_store import AlertSettingsStore
from app.connections import ConnectionProfile, ConnectionStore
from app.credentials import CredentialStore, KeyringUnavailableError, Secret
from app.history import HistoryStore, history_file
from app.paths import HOME_ENV_VAR, AppPaths
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import ROOT, SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import close_window
from ui.app import build_services
from ui.main_window import MainWindow
from ui.settings import WindowSettings

pytestmark = pytest.mark.keyring_real

REQUIRED = os.environ.get("EKRAN_TEST_REAL_KEYRING") == "required"
QUIET = AlertSettings().with_kind(AlertKind.OFFLINE, False)
NAMES = ("Deleted in the window", "Removed on the command line", "Kept")


@pytest.fixture
def real_keyring() -> CredentialStore:
    try:
        return CredentialStore.system()
    except KeyringUnavailableError as error:
        reason = f"no usable system keyring ({error.detail})"
        if REQUIRED:
            pytest.fail(f"{reason}, but EKRAN_TEST_REAL_KEYRING=required")
        pytest.skip(reason)


@pytest.fixture
def profiles(
    real_keyring: CredentialStore, shared_simulator: SimulatorProcess
) -> Iterator[dict[str, ConnectionProfile]]:
    """Three saved connections whose passwords are in the real keyring (removed afterwards)."""
    made = {
        name: simulator_profile(shared_simulator, name=name, remember_password=True)
        for name in NAMES
    }
    yield made
    for profile in made.values():
        real_keyring.delete_all_for(profile.id, [profile.username])


def history_rows(home: AppPaths, connection_id: str) -> int:
    """Rows the history file holds about one connection (series, raw, minute, events)."""
    db = sqlite3.connect(history_file(home))  # reads only (a URI with mode=ro: not on Windows)
    try:
        series = "(SELECT id FROM series WHERE connection_id = ?)"
        counts = [
            db.execute("SELECT count(*) FROM series WHERE connection_id = ?", (connection_id,)),
            db.execute(f"SELECT count(*) FROM raw WHERE series IN {series}", (connection_id,)),
            db.execute(f"SELECT count(*) FROM minute WHERE series IN {series}", (connection_id,)),
            db.execute("SELECT count(*) FROM event WHERE connection_id = ?", (connection_id,)),
        ]
        return sum(int(cursor.fetchone()[0]) for cursor in counts)
    finally:
        db.close()


def left_behind(
    home: AppPaths, credentials: CredentialStore, profile: ConnectionProfile
) -> dict[str, object]:
    """Everything the console keeps about ``profile``, read from the files and the keyring."""
    return {
        "profile": ConnectionStore(home).get(profile.id) is not None,
        "password": credentials.get(profile),
        "alert settings": profile.id in AlertSettingsStore.in_config_dir(home).connection_ids(),
        "history rows": history_rows(home, profile.id),
    }


NOTHING = {"profile": False, "password": None, "alert settings": False, "history rows": 0}


async def test_window_delete_and_command_line_remove_leave_the_same_state(
    tmp_path: Path,
    real_keyring: CredentialStore,
    shared_simulator: SimulatorProcess,
    profiles: dict[str, ConnectionProfile],
) -> None:
    home = AppPaths.under(tmp_path / "home").ensure()
    password = shared_simulator.info.password
    store = ConnectionStore(home)
    alert_settings = AlertSettingsStore.in_config_dir(home)
    for profile in profiles.values():
        store.add(profile)
        real_keyring.set(profile, Secret(password))
        alert_settings.save(profile.id, QUIET)
    in_window, on_command_line, kept = (profiles[name] for name in NAMES)

    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    quit_on_close = qt_app.quitOnLastWindowClosed()
    qt_app.setQuitOnLastWindowClosed(False)  # as ui.app does: the window closes after shutdown
    opened = await asyncio.to_thread(HistoryStore.open, history_file(home))
    services = build_services(
        home, WindowSettings.in_file(tmp_path / "settings.ini"), real_keyring, history=opened
    )
    window = MainWindow(services)
    window.start()
    window.show()
    try:
        await wait_until(lambda: len(window.repository.profiles()) == len(NAMES))
        for profile in profiles.values():  # the window records each one's load history
            window.open_connection(profile)
        await wait_until(
            lambda: all(history_rows(home, p.id) > 0 for p in profiles.values()), within=30.0
        )

        # The window: select, Remove, confirm.
        pane = window.connections_pane
        assert pane.select(in_window.id)
        pane.commands.remove.trigger()
        box = pane.remove_box
        assert box is not None
        confirm = box.findChild(QPushButton, "confirmRemoveButton")
        assert confirm is not None
        confirm.click()
        await wait_until(lambda: window.repository.profile(in_window.id) is None)
        assert window.sessions.connection(in_window.id) is None
        await asyncio.sleep(1.0)  # two more polls of the others; none of the deleted one
    finally:
        await close_window(window)
        await asyncio.to_thread(services.history.close)  # every queued write is on disk
        window.deleteLater()
        await wait_until(lambda: not shiboken6.isValid(window))
        for parentless in (services.repository, services.runner, services.settings.qsettings):
            shiboken6.delete(parentless)
        qt_app.setQuitOnLastWindowClosed(quit_on_close)
    assert QApplication.activeModalWidget() is None

    assert left_behind(home, real_keyring, in_window) == NOTHING
    for other in (on_command_line, kept):
        assert left_behind(home, real_keyring, other) == {
            "profile": True,
            "password": Secret(password),
            "alert settings": True,
            "history rows": history_rows(home, other.id),
        }
        assert history_rows(home, other.id) > 0

    # The command line, as a user runs it (its own process, the same keyring).
    env = {**os.environ, HOME_ENV_VAR: str(tmp_path / "home")}
    env.pop("EKRAN_CONSOLE_PASSWORD", None)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "connections", "remove", on_command_line.name, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["removed"] == on_command_line.id
    assert reply["password_removed"] is True
    assert reply["warnings"] == []

    assert left_behind(home, real_keyring, on_command_line) == NOTHING
    assert left_behind(home, real_keyring, kept)["password"] == Secret(password)
    assert left_behind(home, real_keyring, kept)["alert settings"] is True
    assert history_rows(home, kept.id) > 0
