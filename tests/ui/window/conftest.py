"""A main window wired like ``ui.app`` but over a temporary home, settings file and keyring.

``make_window()`` builds, starts and shows a ``MainWindow``; at the end of the test the
window is closed through its real asynchronous shutdown and the test fails if a task,
a session or a dialog is left behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

from app.connections import ConnectionProfile
from app.credentials import CredentialStore, Secret
from app.paths import AppPaths
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.documented_simulator import documented  # noqa: F401 (fixture)
from tests.ui.conftest import wait_until
from ui.app import build_services
from ui.cluster.columns import Column
from ui.main_window import MainWindow
from ui.settings import WindowSettings

MakeWindow = Callable[..., MainWindow]
QObjectT = TypeVar("QObjectT", bound=QObject)
Own = Callable[[QObjectT], QObjectT]
WINDOW_SIZE = (780, 560)  # within the offscreen screen (800 x 800): never clamped


def open_transient(window: MainWindow, profile: ConnectionProfile, password: str) -> None:
    """List ``profile`` as a transient connection with its password in memory, and open it."""
    window.repository.add_transient(profile)
    window.repository.set_transient_password(profile.id, Secret(password))
    window.open_connection(profile)


def status_text(window: MainWindow, server_id: str) -> str | None:
    """The Status cell of a server in the cluster table, or None if it has no row."""
    model = window.cluster_pane.model
    row = model.row_of(server_id)
    return None if row is None else str(model.index(row, Column.STATUS).data())


def cell_text(window: MainWindow, server_id: str, column: Column) -> str | None:
    model = window.cluster_pane.model
    row = model.row_of(server_id)
    return None if row is None else str(model.index(row, column).data())


async def wait_for_rows(window: MainWindow, count: int) -> None:
    await wait_until(lambda: window.cluster_pane.model.rowCount() == count)


async def wait_for_health_round(window: MainWindow) -> None:
    """Wait until the current connection has probed every server's healthcheck once.

    Closing while those first requests are still setting up their TLS connections
    leaves their sockets to the garbage collector (a ResourceWarning, an error here).
    """
    current = window.sessions.current
    assert current is not None
    monitor = current.session.monitor
    await wait_until(
        lambda: (
            monitor.snapshot is not None
            and len(monitor.health) == sum(1 for s in monitor.snapshot.servers if s.management_url)
        )
    )


async def close_window(window: MainWindow) -> None:
    """Close through the real shutdown (cancelling downloads) and wait until it has finished."""
    if not window.closed:
        window.close()
        box = window.quit_box
        if box is not None:
            next(b for b in box.buttons() if b.objectName() == "quitCancelDownloads").click()
        await wait_until(lambda: window.closed, within=30.0)


@pytest.fixture
def owned() -> Iterator[Callable[[QObjectT], QObjectT]]:
    """Register Qt objects a test makes; they are deleted in the main thread when it ends.

    Left to Python's garbage collector, a parentless Qt object may be destroyed in a
    worker thread of a later test (``asyncio.to_thread``), leaving its Qt timers behind
    to crash the event loop.
    """
    objects: list[QObject] = []

    def own(obj: QObjectT) -> QObjectT:
        objects.append(obj)
        return obj

    yield own
    for obj in reversed(objects):
        if shiboken6.isValid(obj):
            if isinstance(obj, QWidget):
                obj.close()
            shiboken6.delete(obj)


@pytest.fixture
def home(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home").ensure()


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
async def make_window(
    home: AppPaths, settings_file: Path, keyring_backend: MemoryKeyring
) -> AsyncIterator[MakeWindow]:
    windows: list[MainWindow] = []
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    quit_on_close = qt_app.quitOnLastWindowClosed()
    qt_app.setQuitOnLastWindowClosed(False)  # as ui.app does: the window closes after shutdown

    def make() -> MainWindow:
        services = build_services(
            home, WindowSettings.in_file(settings_file), CredentialStore(keyring_backend)
        )
        window = MainWindow(services)
        window.resize(*WINDOW_SIZE)
        window.start()
        window.show()
        windows.append(window)
        return window

    yield make
    this_task = asyncio.current_task()
    for window in windows:
        await close_window(window)
        assert window.sessions.session_count == 0
        assert window.runner.pending == 0
        services = window.services
        window.deleteLater()
        await wait_until(lambda w=window: not shiboken6.isValid(w))  # deleted in this test
        for parentless in (services.repository, services.runner, services.settings.qsettings):
            shiboken6.delete(parentless)  # in this thread, not by a later garbage collection
    leftovers = [t for t in asyncio.all_tasks() if t is not this_task and not t.done()]
    assert not leftovers, f"tasks left running: {leftovers}"
    assert QApplication.activeModalWidget() is None
    qt_app.setQuitOnLastWindowClosed(quit_on_close)
