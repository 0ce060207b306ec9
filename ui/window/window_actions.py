"""The window's own actions (not about a server) and the menu bar that holds every action."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenuBar, QToolBar, QWidget

from ui.connections.connection_actions import ConnectionActions
from ui.icons import icon
from ui.settings import APPLICATION
from ui.window.action_rules import ActionId
from ui.window.server_actions import ServerActions


class WindowActions:
    """Disconnect, View certificate, Alert settings, Quit, Filter, Downloads, Load graph,
    Close to notification area, Open log folder and About.

    Every action is added to ``window`` so that its shortcut works anywhere in it.
    """

    def __init__(
        self, window: QWidget, downloads: QDockWidget, graph: QDockWidget, log_dir: Path
    ) -> None:
        self._window = window
        self.disconnect = self._make(
            "actionDisconnect", "&Disconnect", "Disconnect", "Stop monitoring this connection"
        )
        self.certificate = self._make(
            "actionViewCertificate",
            "View server &certificate…",
            "View server certificate",
            "Inspect the certificate the server presented and decide whether to trust it",
        )
        self.alert_settings = self._make(
            "actionAlertSettings",
            "&Alert settings…",
            "Alert settings",
            "Choose which changes of the selected connection raise an alert",
        )
        self.quit = self._make("actionQuit", "&Quit", "Quit", "Close the console")
        self.quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        # The cluster pane owns the Ctrl+F shortcut (window-wide); a second one here would
        # make the key ambiguous (then neither fires), so the menu item only shows it.
        find = QKeySequence(QKeySequence.StandardKey.Find)
        self.filter = self._make(
            "actionFilter",
            f"&Filter servers\t{find.toString(QKeySequence.SequenceFormat.NativeText)}",
            "Filter servers",
            "Type to show only the matching servers",
        )
        self.log_folder = self._make(
            "actionOpenLogFolder",
            "Open &log folder",
            "Open log folder",
            f"Open {log_dir} in the file manager",
        )
        self.about = self._make(
            "actionAbout", f"&About {APPLICATION}", "About", "Version information", "about"
        )
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.downloads = downloads.toggleViewAction()
        self.downloads.setObjectName("actionShowDownloads")
        self.downloads.setText("&Downloads")
        self.downloads.setProperty("accessibleName", "Downloads")
        self.downloads.setStatusTip("Show or hide the Downloads panel")
        self.downloads.setIcon(icon("logs"))
        self.load_graph = graph.toggleViewAction()
        self.load_graph.setObjectName("actionShowLoadGraph")
        self.load_graph.setText("&Load graph")
        self.load_graph.setProperty("accessibleName", "Load graph")
        self.load_graph.setStatusTip("Show or hide the graph of Clients over time")
        self.load_graph.setIcon(icon("graph"))
        self.close_to_tray = self._make(
            "actionCloseToTray",
            "Close to &notification area",
            "Close to notification area",
            "Closing the window keeps monitoring and alerts running; use Quit to exit",
        )
        self.close_to_tray.setCheckable(True)

    def _make(
        self, name: str, text: str, accessible: str, tip: str, icon_name: str | None = None
    ) -> QAction:
        action = QAction(text, self._window)
        action.setObjectName(name)
        action.setProperty("accessibleName", accessible)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        if icon_name is not None:
            action.setIcon(icon(icon_name))
        self._window.addAction(action)
        return action


def build_main_toolbar(window: QWidget, servers: ServerActions) -> QToolBar:
    """The toolbar under the menus: Refresh and the actions on the selected servers."""
    toolbar = servers.build_toolbar(window)
    toolbar.setObjectName("mainToolbar")
    toolbar.setWindowTitle("Main toolbar")
    toolbar.setAccessibleName("Main toolbar")
    side = round(window.fontMetrics().height() * 1.25)
    toolbar.setIconSize(QSize(side, side))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in toolbar.actions():
        button = toolbar.widgetForAction(action)
        if button is not None and not action.isSeparator():
            button.setObjectName(f"{action.objectName()}Button")
            button.setAccessibleName(str(action.property("accessibleName")))
    return toolbar


def build_menu_bar(
    bar: QMenuBar,
    own: WindowActions,
    connections: ConnectionActions,
    servers: ServerActions,
) -> None:
    """File, View, Server and Help, in the order and wording Windows admins expect."""
    bar.setObjectName("menuBar")
    file_menu = bar.addMenu("&File")
    file_menu.setObjectName("menuFile")
    file_menu.addActions([connections.add, connections.connect, own.disconnect, own.certificate])
    file_menu.addAction(own.alert_settings)
    file_menu.addSeparator()
    file_menu.addActions([connections.import_, connections.export])
    file_menu.addSeparator()
    file_menu.addAction(own.quit)
    view_menu = bar.addMenu("&View")
    view_menu.setObjectName("menuView")
    view_menu.addActions([servers.action(ActionId.REFRESH), own.downloads, own.load_graph])
    view_menu.addAction(own.filter)
    view_menu.addSeparator()
    view_menu.addAction(own.close_to_tray)
    server_menu = bar.addMenu("&Server")
    server_menu.setObjectName("menuServer")
    server_menu.setToolTipsVisible(True)
    servers.populate_menu(server_menu)
    help_menu = bar.addMenu("&Help")
    help_menu.setObjectName("menuHelp")
    help_menu.addActions([own.log_folder, own.about])
