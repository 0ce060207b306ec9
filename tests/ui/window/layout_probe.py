"""Lays the main window out on a screen of a given size and scale; prints what fits.

Run as ``python -m tests.ui.window.layout_probe CONFIG_JSON`` in a process of its own
(the scale factor and the screen are fixed when the QApplication starts). CONFIG_JSON
names ``scale`` (``QT_SCALE_FACTOR``), ``screen`` ([width, height] in device pixels),
``window`` ([width, height] in logical pixels, or null to keep the restored size),
``saved`` ([width, height] of a geometry saved earlier, or null) and ``before_start``
(a size given to the window before its layout is restored, or null). The window shows a
40-server cluster with long statuses and isolation reasons and four connections with
long names, tags and the read-only marker; one long message is in the status bar.
The last line printed is a JSON object of geometry facts (logical pixels).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

SIDEBAR_NAMES = (
    ("Datacenter East production cluster", "PRODUCTION", True),
    ("Lab cluster 2", "TEST", False),
    ("Demo", "NONE", False),
    ("Staging Frankfurt", "STAGING", True),
)
LONG_MESSAGE = (
    "EKRAN-AS02 was not isolated: the Management Tool refused the request because another "
    "administrator changed the cluster settings a moment ago; refresh and try again."
)


def configure(config: dict[str, Any], workdir: Path) -> None:
    """The platform and scale, before Qt starts."""
    width, height = config["screen"]
    screen = {"name": "probe", "x": 0, "y": 0, "width": width, "height": height}
    path = workdir / "offscreen.json"
    path.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    # relative: Qt splits the platform's arguments at colons, as in "C:\\…"
    os.chdir(workdir)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path.name}"
    os.environ["QT_SCALE_FACTOR"] = str(config["scale"])


async def probe(config: dict[str, Any], workdir: Path) -> dict[str, Any]:
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import QStyleOptionViewItem, QWidget

    from app.api.models import ServerStatus
    from app.connections import ConnectionProfile, EnvironmentTag
    from app.credentials import CredentialStore
    from app.paths import AppPaths
    from tests.app.connections.keyring_fake import MemoryKeyring
    from tests.ui.cluster.support import isolated, server, snapshot
    from tests.ui.conftest import wait_until
    from ui.app import build_services
    from ui.cluster.columns import KEY_COLUMNS
    from ui.dialogs.error_details import Notice
    from ui.main_window import MainWindow
    from ui.settings import WindowSettings

    settings = WindowSettings.in_file(workdir / "settings.ini")
    if config.get("saved"):
        earlier = QWidget()
        earlier.resize(*config["saved"])
        earlier.move(0, 0)
        settings.set_geometry(earlier.saveGeometry())
        earlier.deleteLater()
    services = build_services(
        AppPaths.under(workdir / "home").ensure(), settings, CredentialStore(MemoryKeyring())
    )
    window = MainWindow(services)
    if config.get("before_start"):
        window.resize(*config["before_start"])
    if config.get("window"):
        window.resize(*config["window"])
    reload = window.repository.reload()
    if reload is not None:
        await reload
    window.start()
    window.show()
    profiles = []
    for name, tag, read_only in SIDEBAR_NAMES:
        profile = ConnectionProfile(
            name=name,
            urls=["https://mt.example/EkranSystem"],
            username="admin",
            tag=EnvironmentTag[tag],
            read_only=read_only,
        )
        window.repository.add_transient(profile)
        profiles.append(profile)
    items = [server(n, clients=100 + n) for n in range(1, 41)]
    items[1] = isolated(2, 45, reason="Windows updates and a firmware upgrade of the RAID card")
    items[2] = server(3, status=ServerStatus.OFFLINE, clients=0)
    await wait_until(lambda: window.connections_pane.model.rowCount() >= 1)
    window.connections_pane.select(profiles[0].id)
    window.cluster_pane.set_snapshot(snapshot(items))
    window.post(Notice(LONG_MESSAGE))
    await asyncio.sleep(0.5)  # layouts and elision settle

    table = window.cluster_pane.table
    viewport = table.viewport()
    columns = {column.name: list(table.column_extent(column)) for column in sorted(KEY_COLUMNS)}
    pane = window.connections_pane
    delegate = pane.delegate
    names: dict[str, dict[str, Any]] = {}
    for profile in profiles:
        index = pane.model.index_of(profile.id)
        option = QStyleOptionViewItem()
        pane.view.initViewItemOption(option)
        delegate.initStyleOption(option, index)
        option.rect = pane.view.visualRect(index)
        width = delegate.name_width(option, index)
        shown = option.fontMetrics.elidedText(profile.name, Qt.TextElideMode.ElideMiddle, width)
        names[profile.name] = {
            "shown": shown,
            "visible_chars": len(shown.replace("…", "")),
            "rect": [option.rect.x(), option.rect.width()],
        }
    status = window.status
    status_items = {
        widget.objectName(): [widget.x(), widget.x() + widget.width()]
        for widget in (
            status.message_label,
            status.details_link,
            status.endpoint_label,
            status.updated_label,
            status.poll_label,
            status.state_label,
        )
        if widget.isVisible()
    }
    screen = window.screen()
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    result = {
        "device_pixel_ratio": window.devicePixelRatioF(),
        "screen": [available.x(), available.y(), available.width(), available.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "window": [window.width(), window.height()],
        "viewport_width": viewport.width(),
        "horizontal_scroll": table.horizontalScrollBar().value(),
        "columns": columns,
        "sidebar": names,
        "sidebar_width": pane.width(),
        "status_bar_width": status.width(),
        "status_items": status_items,
        "message_shown": status.message_label.shown_text(),
        "title": window.windowTitle(),
        "current_index_valid": pane.view.currentIndex() != QModelIndex(),
    }
    if config.get("grab"):
        window.grab().save(config["grab"])
    window.quit()
    await wait_until(lambda: window.closed, within=30.0)
    return result


def main() -> None:
    config = json.loads(sys.argv[1])
    start = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="layout-probe-") as folder:
        workdir = Path(folder)
        configure(config, workdir)
        import qasync

        from ui.app import create_application

        qt_app = create_application()
        loop = qasync.QEventLoop(qt_app)
        try:
            result = loop.run_until_complete(probe(config, workdir))
        finally:
            loop.close()
            os.chdir(start)  # the folder can be removed (Windows)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
