"""Take the screenshots of the Rolling maintenance panel with the demo cluster (offscreen).

Run from the repository root:  python docs/screenshots/take_rollout_screenshots.py
(with QT_SCALE_FACTOR=2 it writes the ``@2x`` files instead).

The window is 1024 x 700. The demo cluster runs 20 times faster than real time so that
a run reaches a realistic moment within seconds: the first server already upgraded and
back in service, the second drained and waiting for the admin to stop and upgrade it.
Writes rollout-plan.png and rollout-running.png next to this script.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import httpx  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QFont, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.credentials import CredentialStore  # noqa: E402
from app.paths import AppPaths  # noqa: E402
from app.rollout import ServerStep  # noqa: E402
from tests.app.connections.keyring_fake import MemoryKeyring  # noqa: E402
from ui.app import build_services, create_application  # noqa: E402
from ui.demo import DemoCluster  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.rollout.rollout_model import RolloutColumn  # noqa: E402
from ui.settings import WindowSettings  # noqa: E402

WINDOW_SIZE = (1024, 700)
FONT_FAMILY, FONT_POINTS = "DejaVu Sans", 9.0
TARGET = "9.3.0.1310"
SUFFIX = "@2x" if os.environ.get("QT_SCALE_FACTOR", "1") == "2" else ""


async def until(predicate, within: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the demo cluster did not reach the expected state")
        await asyncio.sleep(0.05)


async def control(demo: DemoCluster, method: str, path: str, body: object = None) -> object:
    endpoints = demo.endpoints
    async with httpx.AsyncClient(verify=str(endpoints.ca_file), timeout=10.0) as client:
        reply = await client.request(
            method,
            f"{endpoints.control_url}/{path}",
            headers={"X-Sim-Token": endpoints.control_token.reveal()},
            json=body,
        )
        reply.raise_for_status()
        return reply.json() if reply.content else None


async def upgrade(demo: DemoCluster, server_id: str) -> None:
    """Play the admin: stop the server, then start it on the target version."""
    await control(demo, "POST", f"servers/{server_id}/stop")
    await asyncio.sleep(1.0)
    await control(demo, "POST", f"servers/{server_id}/start", {"version": TARGET})


async def shot(window: QWidget, name: str) -> None:
    """The window at 1024 x 700 (a wider overview line may have grown it meanwhile)."""
    window.resize(*WINDOW_SIZE)
    await asyncio.sleep(0.3)
    save(window.grab(), name)


def save(pixmap: QPixmap, name: str) -> None:
    stem, dot, ext = name.rpartition(".")
    path = HERE / f"{stem}{SUFFIX}{dot}{ext}"
    if not pixmap.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path.relative_to(HERE.parents[1])} ({pixmap.width()} x {pixmap.height()})")


async def take(home: Path) -> None:
    paths = AppPaths.under(home).ensure()
    services = build_services(
        paths, WindowSettings.in_file(home / "settings.ini"), CredentialStore(MemoryKeyring())
    )
    window = MainWindow(services)
    window.resize(*WINDOW_SIZE)
    window.start()
    window.show()
    demo = DemoCluster(
        servers=4, clients=160, drain_seconds=240, poll_interval_s=0.5,
        extra_args=("--time-scale", "20"),
    )  # fmt: skip
    try:
        profile = await window.open_demo(demo)
        await until(lambda: window.cluster_pane.model.rowCount() == 4)
        opened = window.sessions.connection(profile.id)
        assert opened is not None
        await until(lambda: len(opened.session.monitor.health) == 4)
        window.rollout_action.trigger()
        panel = window.rollout_panel
        window.resizeDocks([panel], [WINDOW_SIZE[1] // 2], Qt.Orientation.Vertical)
        panel.target_version.setText(TARGET)
        panel.reason.setText("Upgrade to 9.3")
        panel.settle_seconds.setValue(10)
        panel.table.setCurrentIndex(panel.model.index(1, RolloutColumn.SERVER))
        await asyncio.sleep(1.0)
        await shot(window, "rollout-plan.png")

        panel.start.click()

        def at(server_id: str, step: ServerStep) -> bool:
            state = window.rollouts.run_of(profile.id)
            current = state.current_server if state else None
            return current is not None and (current.server_id, current.step) == (server_id, step)

        await until(lambda: at("as-01", ServerStep.WAITING_RESTART))
        await upgrade(demo, "as-01")
        await until(lambda: at("as-02", ServerStep.DRAINING))
        await asyncio.sleep(4.0)  # part-way through the drain
        await shot(window, "rollout-draining.png")
        await until(lambda: at("as-02", ServerStep.WAITING_RESTART))
        await asyncio.sleep(1.0)
        await shot(window, "rollout-running.png")
    finally:
        window.close()
        await until(lambda: window.closed)
        await demo.stop()


def main() -> int:
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
