"""MainWindow: connections on the left, the cluster in the centre, load and downloads at the
bottom, alerts in the notification area."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import ConsoleError, TlsError
from app.audit import AuditNotWrittenError
from app.connections import EnvironmentTag
from app.logsetup import redact
from app.monitor import ConnectionState, MonitorStatus, ServerHealth
from ui.alerts.alert_preferences import AlertPreferences
from ui.cluster.cluster_pane import ClusterPane
from ui.connections.connections_pane import ConnectionsPane
from ui.demo import DemoCluster
from ui.dialogs.about_dialog import AboutDialog
from ui.dialogs.error_details import Notice
from ui.downloads.downloads_panel import DownloadsPanel
from ui.icons import icon
from ui.preferences import Preferences
from ui.rollout.action import rollout_action
from ui.settings import APPLICATION
from ui.tasks import TaskRunner
from ui.theme import Appearance, apply_appearance
from ui.window.environment_strip import EnvironmentStrip
from ui.window.focus_return import FocusReturn
from ui.window.layout_state import fit_to_screen, restore_layout, save_layout
from ui.window.load_views import LoadViews
from ui.window.quit_prompt import quit_with_downloads_box
from ui.window.server_actions import ServerActions
from ui.window.services import WindowServices
from ui.window.status_bar import WindowStatusBar
from ui.window.window_actions import WindowActions, build_main_toolbar, build_menu_bar

if TYPE_CHECKING:
    from app.api.models import ClusterSnapshot, Server
    from app.connections import ConnectionProfile
    from app.rollout import RolloutMessage
    from ui.alerts.alert_center import AlertCenter
    from ui.events.hookup import EventsHookup
    from ui.rollout.rollout_controller import RolloutController
    from ui.rollout.rollout_panel import RolloutPanel
    from ui.sessions import OpenConnection, SessionManager
    from ui.window.certificate_trust import CertificateTrust
    from ui.window.operations import ServerOperations
    from ui.window.preferences_dialog import PreferencesDialog

log = logging.getLogger(__name__)

SIDEBAR_CHARS = 34
"""The connections list's default width in average characters (resizable, remembered)."""


def window_title(profile: ConnectionProfile | None) -> str:
    """The window's own title: the connection shown ("Prod (Production)"), or "" for none.

    The application sets its display name, which Qt adds to every window title ("Prod
    (Production) — Ekran Cluster Console"); naming the application here as well showed
    it twice.
    """
    if profile is None:
        return ""
    tag = f" ({profile.tag.label})" if profile.tag is not EnvironmentTag.NONE else ""
    return f"{profile.name}{tag}"


@dataclass(frozen=True)
class _Rest:
    """What the window builds after its first paint."""

    sessions: SessionManager
    operations: ServerOperations
    rollout_panel: RolloutPanel
    rollouts: RolloutController
    alerts: AlertCenter
    certificates: CertificateTrust
    events: EventsHookup


class MainWindow(QMainWindow):
    """The console's one window. Build it, call ``start()``, show it.

    Closing it (or File > Quit) first asks, without blocking, whether to cancel running
    downloads; then every task, session, download and the demo cluster are shut down
    asynchronously, and only then does the window close and ``shutdown_finished`` fire.
    With "Close to notification area" on and a system tray present, closing only hides
    the window (monitoring and alerts go on); ``quit()`` always closes for good.

    The window paints first with what it shows at once (the connections, menus, the
    empty cluster pane, the docks); the rest (the sessions, server operations, rolling
    maintenance, alerts and tray, certificate trust, the events journal, and with them
    the load history, the alert rules and the API's models) is built right after the
    first paint (``finish_start``: the history is opened in a worker thread), or earlier
    on demand when one of those attributes is asked for. What the user does before then
    waits for it or builds it: opening a connection, the re-opening of the last one.

    Signals:
        shutdown_finished(): everything the window started has ended; it is closed.
    """

    shutdown_finished = Signal()

    def __init__(self, services: WindowServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAccessibleName(APPLICATION)
        self.setWindowIcon(icon("app"))
        self.services = services
        self.runner = services.runner
        self.repository = services.repository
        self.settings = services.settings
        self._lifecycle = TaskRunner(self)  # runs the shutdown, which stops ``runner``
        self._demo: DemoCluster | None = None
        self._closing = False
        self._closed = False
        self._shown_once = False
        self._quitting = False
        self.quit_box: QMessageBox | None = None
        self.context_menu: QMenu | None = None
        self.about_dialog: AboutDialog | None = None
        self.preferences_dialog: PreferencesDialog | None = None
        self.preferences = Preferences(services.settings.qsettings)

        self._rest: _Rest | None = None
        self._window_action_inputs: tuple[object, ...] | None = None  # see _update_window_actions
        self._finishing: asyncio.Task[None] | None = None

        self.connections_pane = ConnectionsPane(self.repository, self.runner, prompt_parent=self)
        self.cluster_pane = ClusterPane(self)
        self.downloads = DownloadsPanel(self.runner, self)
        self.server_actions = ServerActions(self)
        self.rollout_action = rollout_action(self)
        self.status = WindowStatusBar(self)
        self.alert_preferences = AlertPreferences(self.settings.qsettings, services.alert_settings)
        self.environment_strip = EnvironmentStrip(self)
        self._build_layout()
        self.load_views = LoadViews(lambda: services.history, self.runner, self.cluster_pane, self)
        self.window_actions = WindowActions(
            self, self.downloads, self.load_views.dock, services.paths.log_dir
        )
        build_menu_bar(
            self.menuBar(), self.window_actions, self.connections_pane.commands, self.server_actions
        )
        self.connections_pane.context_menu.addSeparator()
        self.connections_pane.context_menu.addAction(self.rollout_action)
        self.connections_pane.context_menu.addAction(self.window_actions.disconnect)
        self.preferences_action = QAction("&Preferences…", self)
        self.preferences_action.setObjectName("actionPreferences")
        self.preferences_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Preferences))
        self.preferences_action.setToolTip(
            "Appearance, new connections' poll interval, alerts and the download folder"
        )
        file_menu = self.menuBar().findChild(QMenu, "menuFile")
        if file_menu is not None:
            file_menu.insertAction(self.window_actions.quit, self.preferences_action)
            file_menu.insertSeparator(self.window_actions.quit)
        self.connections_pane.default_poll_interval = self.preferences.default_poll_interval_s
        server_menu = self.menuBar().findChild(QMenu, "menuServer")
        if server_menu is not None:
            server_menu.addSeparator()
            server_menu.addAction(self.rollout_action)
        self.focus_return = FocusReturn(self, lambda: self.cluster_pane.table)
        self._connect()
        self._show_current(None)
        self.installEventFilter(self)  # until the first paint

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint:
            self.removeEventFilter(self)
            QTimer.singleShot(0, self._on_first_paint_done)
        return False

    def _on_first_paint_done(self) -> None:
        if self._finishing is None and not self._closing:
            self.runner.start(self.finish_start(), name="finish starting the window")

    # -- what is built after the first paint ----------------------------------------------
    @property
    def sessions(self) -> SessionManager:
        """The open connections (built now if the window has not finished starting)."""
        return self._built().sessions

    @property
    def operations(self) -> ServerOperations:
        return self._built().operations

    @property
    def rollout_panel(self) -> RolloutPanel:
        """The rolling maintenance dock."""
        return self._built().rollout_panel

    @property
    def rollouts(self) -> RolloutController:
        return self._built().rollouts

    @property
    def alerts(self) -> AlertCenter:
        """Alerts, their tray icon and notifications."""
        return self._built().alerts

    @property
    def certificates(self) -> CertificateTrust:
        return self._built().certificates

    @property
    def events(self) -> EventsHookup:
        """The events journal's pane, recorder and View menu action."""
        return self._built().events

    @property
    def started(self) -> bool:
        """True once everything the first paint did not need is built."""
        return self._rest is not None

    async def finish_start(self) -> None:
        """Build what the first paint did not need (unless something built it on demand
        already), opening the load history in a worker thread first, then look for the
        keyring off this thread and say when passwords cannot be remembered; runs once.
        Started right after the first paint; await it before acting on a connection from
        a coroutine."""
        if self._finishing is None:
            self._finishing = asyncio.ensure_future(self._finish_start())
        await asyncio.shield(self._finishing)

    async def _finish_start(self) -> None:
        services = self.services
        await asyncio.to_thread(services.opened_history.get)  # numpy and SQLite: not here
        self._built()
        reason = await asyncio.to_thread(lambda: services.credentials.unavailable_reason)
        if reason and not self._closed:
            self.post(
                Notice(
                    "Passwords cannot be remembered on this computer "
                    f"({reason}); they are asked at each sign-in.",
                    error=False,
                )
            )

    def _built(self) -> _Rest:
        if self._rest is None:
            self._rest = self._build_rest()
            self._connect_rest(self._rest)
            notice = self.services.history_notice
            if notice:
                self.post(Notice(notice))
        return self._rest

    def _build_rest(self) -> _Rest:
        # Imported here: the alert rules, the API's models, httpx and numpy come with them.
        from app.rollout import RolloutStore
        from ui.alerts.alert_center import AlertCenter
        from ui.events.hookup import install_events
        from ui.rollout.rollout_controller import RolloutController
        from ui.rollout.rollout_panel import RolloutPanel
        from ui.sessions import SessionManager
        from ui.window.action_journal import ActionJournal
        from ui.window.certificate_trust import CertificateTrust
        from ui.window.operations import ServerOperations

        services = self.services
        sessions = SessionManager(
            self.runner,
            self.connections_pane.password_source,
            audit=services.audit,
            before_close=self.downloads.detach_session,
            history=services.history,
            alerts=services.alerts,
            parent=self,
        )
        rollout_panel = RolloutPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, rollout_panel)
        self.tabifyDockWidget(self.load_views.dock, rollout_panel)
        rollout_panel.hide()
        self.restoreDockWidget(rollout_panel)  # where the saved layout had it
        rollouts = RolloutController(
            self.runner, sessions, RolloutStore(services.paths), rollout_panel, self
        )
        operations = ServerOperations(
            self.runner,
            sessions,
            self.cluster_pane,
            self.downloads,
            self.settings,
            self,
            ActionJournal(services.history, services.alerts),
        )
        alerts = AlertCenter(services.alerts, self.alert_preferences, self.runner, self.post, self)
        certificates = CertificateTrust(self.runner, self.repository, self)
        events = install_events(
            self,
            services,
            alerts,
            self.post,
            sessions,
            self.shutdown_finished,
            self.load_views.dock,
        )
        self.restoreDockWidget(events.panel)  # where the saved layout had it
        return _Rest(sessions, operations, rollout_panel, rollouts, alerts, certificates, events)

    # -- building ----------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setAccessibleName("Connections and cluster")
        self.splitter.addWidget(self.connections_pane)
        self.splitter.addWidget(self.cluster_pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)  # a collapsed list looked like an empty one
        self.splitter.setCollapsible(1, False)
        chars = self.fontMetrics().averageCharWidth()
        self.splitter.setSizes([chars * SIDEBAR_CHARS, chars * 110])
        central = QWidget(self)
        central.setObjectName("centralArea")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.environment_strip)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.setStatusBar(self.status)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.downloads)
        self.downloads.hide()
        self.toolbar = build_main_toolbar(self, self.server_actions)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.resize(chars * 150, self.fontMetrics().height() * 45)

    def _connect(self) -> None:
        self.runner.failed.connect(self._on_runner_failed)
        self._lifecycle.failed.connect(self._on_runner_failed)
        self.repository.connections_changed.connect(
            lambda profiles: self.cluster_pane.set_has_connections(bool(profiles))
        )
        self.cluster_pane.add_connection_requested.connect(
            self.connections_pane.commands.add.trigger
        )
        self.cluster_pane.demo_requested.connect(self._on_cluster_demo_requested)
        self.repository.connection_removed.connect(self._on_repository_connection_removed)
        self.repository.problem_reported.connect(lambda text: self.post(Notice(text)))
        self.repository.operation_failed.connect(lambda text: self.post(Notice(text)))
        self.repository.operation_completed.connect(
            lambda text: self.post(Notice(text, error=False))
        )
        self.connections_pane.connection_activated.connect(self._on_connections_activated)
        self.connections_pane.current_changed.connect(self._update_window_actions)
        self.rollout_action.triggered.connect(self._on_rollout_triggered)
        self.cluster_pane.selection_changed.connect(self._on_cluster_selection_changed)
        self.cluster_pane.context_menu_requested.connect(self._on_cluster_context_menu_requested)
        self.cluster_pane.retry_requested.connect(self._on_refresh_requested)
        self.cluster_pane.snapshot_shown.connect(self.load_views.set_snapshot)
        self.server_actions.refresh_requested.connect(self._on_refresh_requested)
        self.load_views.notice_posted.connect(self.post)
        own = self.window_actions
        own.disconnect.triggered.connect(self._on_disconnect_triggered)
        own.certificate.triggered.connect(self._on_certificate_triggered)
        own.quit.triggered.connect(self.quit)
        own.alert_settings.triggered.connect(self._on_alert_settings_triggered)
        own.close_to_tray.setChecked(self.alert_preferences.close_to_tray())
        own.close_to_tray.toggled.connect(self.alert_preferences.set_close_to_tray)
        self._show_tray_availability(QSystemTrayIcon.isSystemTrayAvailable())
        own.filter.triggered.connect(self.cluster_pane.focus_filter)
        own.log_folder.triggered.connect(self._on_log_folder_triggered)
        own.about.triggered.connect(self._on_about_triggered)
        self.preferences_action.triggered.connect(self._on_preferences_triggered)

    def _connect_rest(self, rest: _Rest) -> None:
        self.repository.connections_changed.connect(rest.sessions.profiles_changed)
        rest.sessions.current_changed.connect(self._show_current)
        rest.sessions.connection_opened.connect(self._on_sessions_connection_opened)
        rest.sessions.connection_closed.connect(self._on_sessions_connection_closed)
        rest.sessions.status_changed.connect(self._on_sessions_status_changed)
        rest.sessions.snapshot_received.connect(self._on_sessions_snapshot_received)
        rest.sessions.connection_opened.connect(rest.rollouts.connection_opened)
        rest.sessions.connection_closed.connect(rest.rollouts.connection_closed)
        rest.sessions.snapshot_received.connect(rest.rollouts.snapshot_received)
        rest.sessions.current_changed.connect(rest.rollouts.show)
        rest.rollouts.message_posted.connect(self._on_rollouts_message_posted)
        rest.rollouts.problem_reported.connect(lambda text: self.post(Notice(text)))
        rest.sessions.health_updated.connect(self._on_sessions_health_updated)
        rest.sessions.audit_not_written.connect(self._on_sessions_audit_not_written)
        rest.sessions.audit_written_later.connect(self._on_sessions_audit_written_later)
        rest.operations.notice_posted.connect(self.post)
        self.cluster_pane.server_activated.connect(rest.operations.show_health)
        actions = self.server_actions
        actions.isolate_requested.connect(rest.operations.isolate)
        actions.return_requested.connect(rest.operations.return_to_service)
        actions.version_requested.connect(rest.operations.check_version)
        actions.logs_requested.connect(rest.operations.download_logs)
        actions.health_requested.connect(rest.operations.show_health)
        rest.certificates.failed.connect(lambda text: self.post(Notice(text)))
        rest.alerts.tray.show_requested.connect(self._on_tray_show_requested)
        rest.alerts.tray.quit_requested.connect(self.quit)
        self._show_tray_availability(rest.alerts.tray.available)

    def _show_tray_availability(self, available: bool) -> None:
        if not available:
            self.window_actions.close_to_tray.setEnabled(False)
            self.window_actions.close_to_tray.setToolTip("This desktop has no notification area.")

    # -- start-up ----------------------------------------------------------------------------
    def start(self) -> None:
        """Restore the layout, load the connections and re-open the last one used."""
        restore_layout(self.settings, self, self.splitter, self.cluster_pane, self.downloads)
        appearance = self.preferences.appearance()
        qt_app = QApplication.instance()
        if appearance is not Appearance.SYSTEM and isinstance(qt_app, QApplication):
            apply_appearance(qt_app, appearance)
        reload = self.repository.reload()
        last = self.settings.last_connection_id()
        if reload is not None and last:
            self.runner.start(self._reopen_last(reload, last), name="open last connection")

    async def _reopen_last(self, reload: asyncio.Task[object], connection_id: str) -> None:
        await reload
        await self.finish_start()
        profile = self.repository.profile(connection_id)
        if profile is not None and self.sessions.current is None:
            self.open_connection(profile)

    async def open_demo(self, demo: DemoCluster) -> ConnectionProfile:
        """Start ``demo``, list it as a transient connection and open it; it stops on close."""
        self._demo = demo
        self.post(Notice("Starting the demo cluster…", error=False))
        profile, password = await demo.start()
        self.repository.add_transient(profile)
        self.repository.set_transient_password(profile.id, password)
        await self.finish_start()
        self.open_connection(profile)
        self.post(
            Notice(
                f"{profile.name}: a simulated cluster on this computer; it stops when the "
                "console closes.",
                error=False,
            )
        )
        return profile

    def open_connection(self, profile: ConnectionProfile) -> OpenConnection:
        """Select ``profile`` in the connections pane and open it."""
        self.connections_pane.select(profile.id)
        return self.sessions.activate(profile)

    # -- messages ----------------------------------------------------------------------------
    def post(self, notice: Notice) -> None:
        """Show a one-line message in the status bar (detail in the log and Messages)."""
        self.status.post(notice)

    def _on_runner_failed(self, name: str, error: object) -> None:
        if isinstance(error, ConsoleError):
            self.post(Notice(error.message, redact(error.detail)))
        else:
            self.post(Notice(f"Unexpected error while trying to {name}.", redact(repr(error))))

    # -- sessions ----------------------------------------------------------------------------
    def _on_repository_connection_removed(self, connection_id: str) -> None:
        """A deleted connection's session closes (its password, alert settings and load
        history are gone already, with nothing recorded in between: see the repository)."""
        if self._rest is not None:  # else nothing is open
            self._rest.sessions.close_connection(connection_id)

    def _on_connections_activated(self, profile: ConnectionProfile) -> None:
        self.sessions.activate(profile)

    def _on_sessions_connection_opened(self, connection: OpenConnection) -> None:
        self.downloads.attach_session(connection.session)
        self.alerts.connection_opened(connection.id)

    def _on_sessions_connection_closed(self, connection_id: str) -> None:
        self.operations.forget_connection(connection_id)

    def _show_current(self, connection: OpenConnection | None) -> None:
        self.cluster_pane.clear()
        profile = connection.profile if connection is not None else None
        self.cluster_pane.set_capabilities(connection.session.capabilities if connection else None)
        self.load_views.show_connection(profile)
        if connection is not None:
            monitor = connection.session.monitor
            if monitor.snapshot is not None:
                self.cluster_pane.set_snapshot(monitor.snapshot)
            self.cluster_pane.set_health(monitor.health)
            self.cluster_pane.set_status(monitor.status)
            self.operations.show_pending_of(connection.id)
            if not self.repository.is_transient(connection.id):
                self.settings.set_last_connection_id(connection.id)
        self.setWindowTitle(window_title(profile))
        self.environment_strip.show_profile(profile)
        self._update_window_actions()

    def _on_sessions_status_changed(self, connection_id: str, status: MonitorStatus) -> None:
        self.connections_pane.set_status(connection_id, status)
        opened = self.sessions.connection(connection_id)
        self.alerts.set_state(connection_id, opened.profile.name if opened else "", status.state)
        current = self.sessions.current
        if current is None or current.id != connection_id:
            return
        self.cluster_pane.set_status(status)
        snapshot = current.session.monitor.snapshot
        if snapshot is not None:
            self.operations.settle(connection_id, snapshot)
        if status.state is ConnectionState.TLS_PROBLEM and status.failures == 1:
            self.post(
                Notice(
                    f"{current.profile.name}: the server's certificate is not trusted. "
                    "Use File > View server certificate… to inspect and trust it.",
                    redact(status.error.detail) if status.error else "",
                )
            )
        self._update_window_actions()

    def _on_sessions_snapshot_received(self, connection_id: str, snapshot: ClusterSnapshot) -> None:
        current = self.sessions.current
        if current is not None and current.id == connection_id:
            self.cluster_pane.set_snapshot(snapshot)
        self.operations.settle(connection_id, snapshot)

    def _on_sessions_audit_not_written(self, error: AuditNotWrittenError) -> None:
        """Never silent: the action is done, its audit record waits in memory."""
        self.post(
            Notice(
                f"{error} It is kept and written as soon as the disk has room.",
                redact(error.entry.to_json_line().rstrip()),
            )
        )

    def _on_sessions_audit_written_later(self, count: int) -> None:
        noun = "record" if count == 1 else "records"
        self.post(Notice(f"{count} audit {noun} kept in memory were written.", error=False))

    def _on_sessions_health_updated(
        self, connection_id: str, health: dict[str, ServerHealth]
    ) -> None:
        current = self.sessions.current
        if current is not None and current.id == connection_id:
            self.cluster_pane.set_health(health)

    # -- actions -----------------------------------------------------------------------------
    def _current(self) -> OpenConnection | None:
        """The connection shown; None also while the sessions are not built yet."""
        return self._rest.sessions.current if self._rest is not None else None

    def _update_window_actions(self, *_: object) -> None:
        """Enable the actions for the current connection, selection and state, and
        describe the connection in the status bar. Runs after every poll: the actions
        are touched only when what they depend on changed (usually just the time of the
        last update did)."""
        current = self._current()
        profile = current.profile if current is not None else None
        status = current.status if current is not None else None
        refusal = current.session.actions.isolation_refusal if current is not None else None
        self.status.show_connection(profile, status)
        selection = self.cluster_pane.selected_servers()
        chosen = self.connections_pane.current_profile()
        is_open = (
            chosen is not None
            and self._rest is not None
            and self._rest.sessions.connection(chosen.id) is not None
        )
        # Everything the actions below read of the status (not its times).
        shown = (status.state, status.active_url, status.error) if status is not None else None
        inputs = (selection, profile, shown, refusal, chosen, is_open)
        if inputs == self._window_action_inputs:
            return
        self._window_action_inputs = inputs
        self.server_actions.update_for(selection, profile, status, isolation_refusal=refusal)
        own = self.window_actions
        own.disconnect.setEnabled(is_open)
        own.disconnect.setToolTip(
            f"Stop monitoring {chosen.name}"
            if is_open and chosen is not None
            else "The selected connection is not open."
        )
        own.alert_settings.setEnabled(chosen is not None)
        own.alert_settings.setToolTip(
            f"Choose which changes of {chosen.name} raise an alert"
            if chosen is not None
            else "Select a connection first."
        )
        has_tls_problem = current is not None and isinstance(current.status.error, TlsError)
        own.certificate.setEnabled(has_tls_problem)
        own.certificate.setToolTip(
            "Inspect the certificate the server presented and decide whether to trust it"
            if has_tls_problem
            else "Available when the current connection has a certificate problem."
        )

    def _on_cluster_selection_changed(self, _selection: list[Server]) -> None:
        self._update_window_actions()

    def _on_cluster_context_menu_requested(self, position: QPoint) -> None:
        self._update_window_actions()
        if self.context_menu is not None:
            self.context_menu.close()
        menu = self.server_actions.context_menu(self)
        menu.aboutToHide.connect(lambda: self._on_context_menu_hidden(menu))
        self.context_menu = menu
        menu.popup(position)

    def _on_context_menu_hidden(self, menu: QMenu) -> None:
        if self.context_menu is menu:
            self.context_menu = None
        menu.deleteLater()  # after the triggered action has run

    def _on_refresh_requested(self) -> None:
        current = self._current()
        if current is not None:
            self.sessions.retry(current.id)

    def _on_disconnect_triggered(self) -> None:
        chosen = self.connections_pane.current_profile()
        if chosen is not None:
            if self.settings.last_connection_id() == chosen.id:
                self.settings.set_last_connection_id(None)  # not re-opened at the next start
            if self._rest is not None:
                self._rest.sessions.close_connection(chosen.id)
            self.connections_pane.clear_status(chosen.id)
        self._update_window_actions()

    def _on_certificate_triggered(self) -> None:
        current = self._current()
        if current is not None:
            self.certificates.inspect(current)

    def _on_alert_settings_triggered(self) -> None:
        chosen = self.connections_pane.current_profile()
        if chosen is not None:
            self.alerts.edit_settings(chosen.id, chosen.name, self)

    def _on_rollout_triggered(self) -> None:
        chosen = self.connections_pane.current_profile()
        if chosen is not None and (
            self.sessions.current is None or self.sessions.current.id != chosen.id
        ):
            self.open_connection(chosen)
        self.rollouts.show(self.sessions.current)
        self.rollout_panel.show()
        self.rollout_panel.raise_()
        self.rollout_panel.table.setFocus()

    def _on_rollouts_message_posted(self, connection_id: str, message: RolloutMessage) -> None:
        """A run's step goes to the messages; what needs the admin, to a notification."""
        from app.rollout import MessageKind
        from ui.rollout.hookup import NOTIFIED, message_notice

        opened = self.sessions.connection(connection_id)
        name = opened.profile.name if opened is not None else ""
        if message.kind is not MessageKind.PROGRESS:
            self.post(message_notice(name, message))
        severity = NOTIFIED.get(message.kind)
        if severity is not None:
            self.alerts.tray.show_message(
                f"Rolling maintenance: {name}", message.text, severity, 15000
            )

    def _on_cluster_demo_requested(self) -> None:
        if self._demo is None:
            self.runner.start(
                self.open_demo(DemoCluster(staged=True)), name="start the demo cluster"
            )

    def _on_tray_show_requested(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _on_log_folder_triggered(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.services.paths.log_dir)))

    def _on_preferences_triggered(self) -> None:
        from ui.window.preferences_dialog import PreferencesDialog  # when first opened

        if self.preferences_dialog is not None:
            self.preferences_dialog.close()
        dialog = PreferencesDialog(self.preferences, self.alert_preferences, self)
        dialog.accepted.connect(self._on_preferences_accepted)
        dialog.finished.connect(dialog.deleteLater)
        self.preferences_dialog = dialog
        dialog.open()

    def _on_preferences_accepted(self) -> None:
        """Apply what the Preferences dialog saved (the rest is read when used)."""
        self.preferences_dialog = None
        qt_app = QApplication.instance()
        if isinstance(qt_app, QApplication):
            apply_appearance(qt_app, self.preferences.appearance())
        self.window_actions.close_to_tray.setChecked(self.alert_preferences.close_to_tray())

    def _on_about_triggered(self) -> None:
        if self.about_dialog is not None:
            self.about_dialog.close()
        dialog = AboutDialog(self.services.paths.log_dir, self)
        dialog.finished.connect(dialog.deleteLater)
        self.about_dialog = dialog
        dialog.open()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            fit_to_screen(self)  # again, now that the frame's size is known

    # -- closing -----------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """True once the shutdown finished and the window closed."""
        return self._closed

    def quit(self) -> None:
        """Close the console for good (File > Quit, the tray's Quit), even when closing
        would only hide the window."""
        if not self.isVisible() and self.downloads.active_count():
            self._on_tray_show_requested()  # to ask whether to cancel the downloads
        self._quitting = True
        try:
            self.close()
        finally:
            self._quitting = False

    def shut_down(self, cause: str) -> None:
        """End everything without asking (a signal, the console closing, log-off):
        running downloads are cancelled, and the usual shutdown follows (settings saved,
        monitors and the demo cluster stopped). Idempotent."""
        if self._closed or self._closing:
            return
        log.info("shutting down: %s", cause)
        if self.quit_box is not None:
            box, self.quit_box = self.quit_box, None
            box.done(0)  # its answer no longer matters
        self._begin_shutdown()

    def shut_down_now(self) -> None:
        """The last moment before the process ends (Windows' ``WM_ENDSESSION``): save the
        settings and stop the demo cluster synchronously, without the event loop. Does
        nothing once the usual shutdown has finished."""
        if self._closed:
            return
        if not self._closing:
            save_layout(self.settings, self, self.splitter, self.cluster_pane)
        self.settings.sync()
        if self._demo is not None:
            self._demo.stop_now()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        event.ignore()
        if self._closing or self.quit_box is not None:
            return
        if self._rest is not None and self.alerts.hides_on_close(quitting=self._quitting):
            self.hide()
            self.alerts.window_hidden()
            return
        running = self.downloads.active_count()
        if running:
            self._ask_to_cancel_downloads(running)
        else:
            self._begin_shutdown()

    def _ask_to_cancel_downloads(self, running: int) -> None:
        box, quit_button = quit_with_downloads_box(self, running)

        def on_finished(_result: int) -> None:
            self.quit_box = None
            if box.clickedButton() is quit_button:
                self._begin_shutdown()
            box.deleteLater()

        box.finished.connect(on_finished)
        self.quit_box = box
        box.open()

    def _begin_shutdown(self) -> None:
        self._closing = True
        save_layout(self.settings, self, self.splitter, self.cluster_pane)
        self.setEnabled(False)
        self.post(Notice("Closing…", error=False))
        self._lifecycle.start(self._shutdown(), name="close the console")

    async def _shutdown(self) -> None:
        try:
            await self.downloads.shutdown()
            await self.runner.shutdown()
            if self._finishing is not None:  # started: let it end, then close what it built
                await asyncio.gather(self._finishing, return_exceptions=True)
            if self._rest is not None:
                await self._rest.sessions.close_all()
            if self._demo is not None:
                await self._demo.stop()
            await asyncio.to_thread(self.settings.sync)
        finally:
            self.load_views.show_connection(None)
            if self._rest is not None:
                self._rest.alerts.shutdown()
            self._closed = True
            self.close()
            self.shutdown_finished.emit()
