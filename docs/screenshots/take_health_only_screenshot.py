"""Take the README screenshot of a health-only connection (1024 x 700).

Run from the repository root under a real X server, for example:
    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        python docs/screenshots/take_health_only_screenshot.py

The simulator runs in its documented-only mode (only the healthcheck, under
/MyMonitoringSystem), as a real Ekran System deployment does: five Application Servers,
one stopped (its healthcheck answers 503), plus a sixth URL nothing listens on. The
window shows the health-only connection with the context menu of a server open: the
actions that need an API are disabled, and the status bar gives the reason of the one
under the pointer. Writes health-only.png next to this script.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QFont  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.connections import ConnectionProfile  # noqa: E402
from app.credentials import CredentialStore, Secret  # noqa: E402
from app.paths import AppPaths  # noqa: E402
from docs.screenshots.take_screenshots import FONT_FAMILY, FONT_POINTS, composite, save, until  # noqa: E402
from tests.app.connections.keyring_fake import MemoryKeyring  # noqa: E402
from ui.app import build_services, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.settings import WindowSettings  # noqa: E402

WINDOW_SIZE = (1024, 700)
STOPPED = "as-03"


def start_simulator(work: Path) -> tuple[subprocess.Popen[bytes], dict[str, object]]:
    ready = work / "ready.json"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "simulator", "--documented-only",
            "--base-path", "/MyMonitoringSystem", "--servers", "5", "--base-port", "0",
            "--tls-dir", str(work / "tls"), "--ready-file", str(ready),
            "--parent-pid", str(os.getpid()),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(600):
        if ready.exists():
            try:
                return process, json.loads(ready.read_text(encoding="utf-8"))
            except ValueError:
                pass
        asyncio.run(asyncio.sleep(0.05))
    process.kill()
    raise TimeoutError("the simulator did not start")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def take(home: Path, info: dict[str, object]) -> None:
    endpoints = info["endpoints"]
    assert isinstance(endpoints, list)
    urls = [str(e["url"]) for e in endpoints]
    control, token, ca = str(info["control_url"]), str(info["control_token"]), str(info["ca_file"])
    async with httpx.AsyncClient(verify=ca, timeout=10.0) as client:
        headers = {"X-Sim-Token": token}
        reply = await client.post(f"{control}/servers/{STOPPED}/stop", headers=headers)
        reply.raise_for_status()
    profile = ConnectionProfile(
        name="Headquarters (health only)",
        kind="health_only",
        tag="production",
        urls=[*urls, f"https://127.0.0.1:{closed_port()}/MyMonitoringSystem"],
        tls={"mode": "ca_file", "ca_file": ca},
        poll_interval_s=1.0,
    )
    paths = AppPaths.under(home).ensure()
    services = build_services(
        paths, WindowSettings.in_file(home / "settings.ini"), CredentialStore(MemoryKeyring())
    )
    window = MainWindow(services)
    window.resize(*WINDOW_SIZE)
    window.start()
    window.show()
    try:
        window.repository.add_transient(profile)
        window.repository.set_transient_password(profile.id, Secret("unused"))
        window.open_connection(profile)
        await until(lambda: window.cluster_pane.model.rowCount() == 6)
        current = window.sessions.current
        assert current is not None
        await until(lambda: len(current.session.monitor.health) == 6)
        await asyncio.sleep(8.0)  # a few polls for the response-time graph
        window.cluster_pane.select_server(urls[1])
        table = window.cluster_pane.table
        row = table.visualRect(table.currentIndex())
        window.cluster_pane.context_menu_requested.emit(
            table.viewport().mapToGlobal(row.center() + QPoint(-row.width() // 3, 0))
        )
        menu = window.context_menu
        assert menu is not None
        isolate = next(a for a in menu.actions() if a.objectName() == "actionIsolate")
        menu.setActiveAction(isolate)
        isolate.showStatusText(window)  # what hovering it shows in the status bar
        await asyncio.sleep(0.5)
        save(composite(window, menu), "health-only.png")
        menu.close()
    finally:
        window.close()
        await until(lambda: window.closed)


def main() -> int:
    app = create_application()
    app.setFont(QFont(FONT_FAMILY, FONT_POINTS))
    if not isinstance(app, QApplication):
        return 1
    with tempfile.TemporaryDirectory(prefix="ekran-screens-") as home:
        process, info = start_simulator(Path(home))
        loop = qasync.QEventLoop(app)
        try:
            loop.run_until_complete(take(Path(home), info))
        finally:
            loop.close()
            process.terminate()
            process.wait(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
