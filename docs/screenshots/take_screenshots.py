"""Take the README screenshots of the console with the demo cluster (offscreen, 1280 x 800).

Run from the repository root:  python docs/screenshots/take_screenshots.py

The demo cluster starts as ``python3 dev.py demo`` starts it (``DemoCluster(staged=True)``):
one server isolated for Windows updates and still draining, one stopped (offline), and
the last one on the previous version; the pictures are taken 15 simulated seconds in.
Writes main-window.png (light), main-window-dark.png, main-window-1024x700.png,
context-menu.png and isolate-dialog.png next to this script. Nothing is written to the
user's settings.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import httpx  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.credentials import CredentialStore  # noqa: E402
from app.paths import AppPaths  # noqa: E402
from tests.app.connections.keyring_fake import MemoryKeyring  # noqa: E402
from ui.app import build_services, create_application  # noqa: E402
from ui.demo import STAGED_ISOLATED, STAGED_OFFLINE, DemoCluster  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings import WindowSettings  # noqa: E402
from ui.theme import Appearance, apply_appearance  # noqa: E402

WINDOW_SIZE = (1280, 800)
SMALL_WINDOW_SIZE = (1024, 700)
ISOLATED, OFFLINE = STAGED_ISOLATED[0], STAGED_OFFLINE
FONT_FAMILY, FONT_POINTS = "DejaVu Sans", 9.0


async def until(predicate, within: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the demo cluster did not reach the expected state")
        await asyncio.sleep(0.05)


async def control(demo: DemoCluster, method: str, path: str, body: object = None) -> None:
    endpoints = demo.endpoints
    async with httpx.AsyncClient(verify=str(endpoints.ca_file), timeout=10.0) as client:
        reply = await client.request(
            method,
            f"{endpoints.control_url}/{path}",
            headers={"X-Sim-Token": endpoints.control_token.reveal()},
            json=body,
        )
        reply.raise_for_status()


def save(pixmap: QPixmap, name: str) -> None:
    path = HERE / name
    if not pixmap.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path.relative_to(HERE.parents[1])} ({pixmap.width()} x {pixmap.height()})")


def composite(window: QWidget, popup: QWidget) -> QPixmap:
    """The window with ``popup`` (a menu) painted where it is shown."""
    picture = window.grab()
    painter = QPainter(picture)
    offset = popup.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
    shadow = popup.rect().translated(offset + QPoint(3, 3))
    painter.fillRect(shadow, QColor(0, 0, 0, 60))
    painter.drawPixmap(offset, popup.grab())
    painter.end()
    return picture


def over_window(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window, dimmed as behind a window-modal dialog, with ``dialog`` centred on it."""
    picture = window.grab()
    painter = QPainter(picture)
    painter.fillRect(picture.rect(), QColor(0, 0, 0, 90))
    face = dialog.grab()
    corner = QPoint((picture.width() - face.width()) // 2, (picture.height() - face.height()) // 3)
    frame = face.rect().translated(corner).adjusted(-1, -1, 1, 1)
    painter.fillRect(frame.translated(4, 4), QColor(0, 0, 0, 70))
    painter.fillRect(frame, QColor("#5a5a5a"))
    painter.drawPixmap(corner, face)
    painter.end()
    return picture


async def take(home: Path) -> None:
    paths = AppPaths.under(home).ensure()
    services = build_services(
        paths, WindowSettings.in_file(home / "settings.ini"), CredentialStore(MemoryKeyring())
    )
    window = MainWindow(services)
    window.resize(*WINDOW_SIZE)
    window.start()
    window.show()
    demo = DemoCluster(poll_interval_s=1.0, staged=True)
    try:
        profile = await window.open_demo(demo)
        await until(lambda: window.cluster_pane.model.rowCount() == 5)
        session = window.sessions.connection(profile.id)
        assert session is not None
        await control(demo, "POST", "advance", {"seconds": 15})
        session.session.monitor.retry_now()

        def table_settled() -> bool:
            servers = {s.id: s for s in window.cluster_pane.model.servers()}
            return (
                servers[OFFLINE].status.value == "offline"
                and servers[ISOLATED].status.value == "isolated"
                and servers[ISOLATED].clients > 0
            )

        await until(table_settled)
        monitor = session.session.monitor

        def offline_probed() -> bool:
            probe = monitor.health.get(OFFLINE)
            return probe is not None and (probe.report is None or not probe.report.ok)

        await until(offline_probed, within=60.0)
        window.cluster_pane.select_server(ISOLATED)
        window.cluster_pane.table.setFocus()
        await asyncio.sleep(1.5)  # let the relative times and the status bar settle
        save(window.grab(), "main-window.png")
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_appearance(app, Appearance.DARK)
        await asyncio.sleep(1.0)
        save(window.grab(), "main-window-dark.png")
        apply_appearance(app, Appearance.LIGHT)
        window.resize(*SMALL_WINDOW_SIZE)
        await asyncio.sleep(1.0)
        save(window.grab(), "main-window-1024x700.png")
        window.resize(*WINDOW_SIZE)
        await asyncio.sleep(0.5)

        window.cluster_pane.select_server("as-04")
        table = window.cluster_pane.table
        row = table.visualRect(table.currentIndex())
        window.cluster_pane.context_menu_requested.emit(
            table.viewport().mapToGlobal(row.center() + QPoint(-row.width() // 3, 0))
        )
        menu = window.context_menu
        assert menu is not None
        await asyncio.sleep(0.3)
        save(composite(window, menu), "context-menu.png")
        menu.close()

        servers = [s for s in window.cluster_pane.model.servers() if s.id == "as-04"]
        window.operations.isolate(servers)
        await until(lambda: window.operations.isolate_dialog is not None)
        dialog = window.operations.isolate_dialog
        assert dialog is not None
        dialog.reason_edit.setText("Disk replacement")
        await asyncio.sleep(0.3)
        save(over_window(window, dialog), "isolate-dialog.png")
        dialog.reject()
    finally:
        window.close()
        await until(lambda: window.closed)
        await demo.stop()


def use_large_offscreen_screen(folder: Path) -> None:
    """A 1920 x 1080 offscreen screen (the default one is smaller than the window, and
    the window keeps inside its screen). Before the QApplication exists."""
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return
    screen = {"name": "shots", "x": 0, "y": 0, "width": 1920, "height": 1080}
    (folder / "offscreen.json").write_text(
        json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]})
    )
    os.chdir(folder)  # a relative path: Qt splits the platform's arguments at colons
    os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=offscreen.json"


def main() -> int:
    start = Path.cwd()
    scratch = tempfile.mkdtemp(prefix="ekran-screens-qt-")
    use_large_offscreen_screen(Path(scratch))
    app = create_application()
    app.setFont(QFont(FONT_FAMILY, FONT_POINTS))
    if not isinstance(app, QApplication):
        return 1
    loop = qasync.QEventLoop(app)
    with tempfile.TemporaryDirectory(prefix="ekran-screens-") as home:
        try:
            loop.run_until_complete(take(Path(home)))
        finally:
            loop.close()
            os.chdir(start)
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
