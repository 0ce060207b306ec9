"""SessionManager: the open connections of the window, each monitored while it is open.

Activating a connection opens a ``ConnectionSession`` for it (kept open, so the
connections pane shows every opened connection's live state) and makes it current: the
one the cluster table shows. The current connection polls at its own interval; the
others at ``background_poll_interval`` (10 s) unless theirs is slower, which keeps their
state, history and alerts current to within seconds at a fraction of the requests.
Each open session feeds the load history and the alert engine. Disconnecting closes
one; ``close_all()`` closes every session on shutdown, leaving no task and no socket
behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from app.alerts import AlertEngine
from app.api.errors import AuthenticationError, AuthErrorKind
from app.audit import AuditLog, AuditNotWrittenError
from app.connections import ConnectionProfile
from app.history import HistoryFeeder, HistoryStore
from app.monitor import ConnectionState, MonitorEvent, MonitorStatus
from app.session import ConnectionSession
from ui.bridge import SessionBridge, subscribe_deferred
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

BACKGROUND_POLL_INTERVAL_S = 10.0
AUDIT_RETRY_MS = 30_000
"""How often audit records that could not be written are tried again."""


class RenewablePasswordSource(Protocol):
    """A session's password source that can be told the server rejected its password."""

    async def __call__(self) -> str: ...

    def forget(self, reason: str = ...) -> None:
        """Drop the password in use; the next call asks the user."""


PasswordSourceFactory = Callable[[ConnectionProfile], RenewablePasswordSource]
BeforeClose = Callable[[ConnectionSession], Awaitable[None]]


class OpenConnection:
    """One opened connection: its profile, session, Qt bridge and password source.

    ``detach_feeds`` unsubscribe the load history and the alert engine from the monitor.
    """

    def __init__(
        self,
        profile: ConnectionProfile,
        session: ConnectionSession,
        bridge: SessionBridge,
        password: RenewablePasswordSource,
    ) -> None:
        self.profile = profile
        self.session = session
        self.bridge = bridge
        self.password = password
        self.detach_feeds: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return f"OpenConnection(name={self.profile.name!r}, state={self.status.state.value})"

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def status(self) -> MonitorStatus:
        return self.session.monitor.status


def _needs_new_session(old: ConnectionProfile, new: ConnectionProfile) -> bool:
    """True when a changed profile affects how the session connects or acts."""
    return (
        old.endpoint_settings() != new.endpoint_settings()
        or old.poll_interval_s != new.poll_interval_s
        or old.read_only != new.read_only
        or old.name != new.name
    )


class SessionManager(QObject):
    """Opens, tracks and closes the window's connection sessions.

    ``password_sources`` makes the password source of each new session;
    ``before_close`` is awaited before a session closes (to stop its downloads). Every
    poll of an open session is recorded in ``history`` and its monitor events are fed to
    ``alerts`` (which forgets a connection once it is closed). Connections other than
    the current one poll at ``background_poll_interval`` seconds, or their own interval
    when that is slower.

    Signals:
        connection_opened(object): an ``OpenConnection`` was opened (or re-opened after
            its settings changed).
        connection_closed(str): the connection with this id was closed.
        current_changed(object): the current ``OpenConnection``, or None.
        status_changed(str, object): a connection's ``MonitorStatus`` (IDLE once closed).
        snapshot_received(str, object): a connection's new ``ClusterSnapshot``.
        health_updated(str, object): a connection's healthchecks, server id -> ServerHealth.
        audit_not_written(object): an action's ``AuditNotWrittenError``; the record is
            kept in memory and retried every ``AUDIT_RETRY_MS`` until the disk takes it.
        audit_written_later(int): that many kept audit records were written at last.
    """

    connection_opened = Signal(object)
    connection_closed = Signal(str)
    current_changed = Signal(object)
    status_changed = Signal(str, object)
    snapshot_received = Signal(str, object)
    health_updated = Signal(str, object)
    audit_not_written = Signal(object)
    audit_written_later = Signal(int)

    def __init__(
        self,
        runner: TaskRunner,
        password_sources: PasswordSourceFactory,
        *,
        audit: AuditLog | None = None,
        before_close: BeforeClose | None = None,
        history: HistoryStore | None = None,
        alerts: AlertEngine | None = None,
        background_poll_interval: float = BACKGROUND_POLL_INTERVAL_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._background_poll_interval = background_poll_interval
        self._runner = runner
        self._password_sources = password_sources
        self._audit = audit
        self._before_close = before_close
        self._history = history
        self._alerts = alerts
        self._open: dict[str, OpenConnection] = {}
        self._current_id: str | None = None
        self._audit_retry = QTimer(self)
        self._audit_retry.setInterval(AUDIT_RETRY_MS)
        self._audit_retry.timeout.connect(self._on_audit_retry_timeout)
        self._unclosed: set[ConnectionSession] = set()
        self._closers: dict[ConnectionSession, asyncio.Task[None]] = {}

    # -- queries -------------------------------------------------------------------------
    @property
    def current(self) -> OpenConnection | None:
        return self._open.get(self._current_id) if self._current_id else None

    def connection(self, connection_id: str) -> OpenConnection | None:
        return self._open.get(connection_id)

    def connections(self) -> list[OpenConnection]:
        return list(self._open.values())

    @property
    def session_count(self) -> int:
        """Sessions opened and not yet completely closed (including ones being closed)."""
        return len(self._unclosed)

    # -- commands ------------------------------------------------------------------------
    def activate(self, profile: ConnectionProfile) -> OpenConnection:
        """Open ``profile`` unless it is open (then retry if it waits for the user), and
        make it current."""
        connection = self._open.get(profile.id)
        if connection is None or _needs_new_session(connection.profile, profile):
            connection = self._open_session(profile)
        else:
            connection.profile = profile
            if connection.status.state.needs_user:
                self.retry(profile.id)  # opening it again is the natural way to retry
        if self._current_id != profile.id:
            self._current_id = profile.id
            self._apply_poll_intervals()
            self.current_changed.emit(connection)
        return connection

    def close_connection(self, connection_id: str) -> None:
        """Close one connection (monitoring stops; it shows "Not connected")."""
        connection = self._open.pop(connection_id, None)
        if connection is None:
            return
        self._close_later(connection)
        if self._alerts is not None:
            self._alerts.forget(connection_id)
        self.connection_closed.emit(connection_id)
        self.status_changed.emit(connection_id, MonitorStatus(ConnectionState.IDLE))
        if self._current_id == connection_id:
            self._current_id = None
            self.current_changed.emit(None)

    def retry(self, connection_id: str) -> None:
        """Poll now; after a rejected password this signs in again, asking for it."""
        connection = self._open.get(connection_id)
        if connection is None:
            return
        self._runner.start(self._retry(connection), name=f"retry {connection.profile.name}")

    def profiles_changed(self, profiles: list[ConnectionProfile]) -> None:
        """Follow edits and removals: re-open changed connections, close removed ones."""
        known = {p.id: p for p in profiles}
        for connection_id, connection in list(self._open.items()):
            profile = known.get(connection_id)
            if profile is None:
                self.close_connection(connection_id)
            elif _needs_new_session(connection.profile, profile):
                reopened = self._open_session(profile)
                if self._current_id == connection_id:
                    self.current_changed.emit(reopened)
            else:
                connection.profile = profile
        self._apply_poll_intervals()

    async def close_all(self) -> None:
        """Close every session, including those still closing, and wait until they are."""
        for connection_id in list(self._open):
            self.close_connection(connection_id)
        for session in list(self._unclosed):
            await self._closer(session)

    # -- internals -----------------------------------------------------------------------
    def _apply_poll_intervals(self) -> None:
        """The current connection polls at its own interval, the others in the background."""
        for connection_id, connection in self._open.items():
            own = connection.profile.poll_interval_s
            background = max(own, self._background_poll_interval)
            interval = own if connection_id == self._current_id else background
            connection.session.monitor.set_poll_interval(interval)

    def _on_actions_audit_not_written(self, error: AuditNotWrittenError) -> None:
        self.audit_not_written.emit(error)
        if not self._audit_retry.isActive():
            self._audit_retry.start()

    def _on_audit_retry_timeout(self) -> None:
        audit = self._audit
        if audit is None or not audit.pending:
            self._audit_retry.stop()
            return
        waiting = len(audit.pending)

        def written(left: int) -> None:
            if left == 0:
                self._audit_retry.stop()
            if waiting - left > 0:
                self.audit_written_later.emit(waiting - left)

        self._runner.start(
            asyncio.to_thread(audit.retry_pending),
            name="retry audit records",
            on_done=written,
            on_error=lambda error: log.warning("audit retry failed: %s", error),
        )

    def _open_session(self, profile: ConnectionProfile) -> OpenConnection:
        previous = self._open.pop(profile.id, None)
        if previous is not None:
            self._close_later(previous)
        if previous is not None and _same_account(previous.profile, profile):
            password = previous.password  # a password typed a moment ago is not asked again
        else:
            password = self._password_sources(profile)
        session = ConnectionSession(profile, password, audit=self._audit)
        session.actions.add_audit_listener(self._on_actions_audit_not_written)
        # History and alerts subscribe before the bridge: they see each event before the
        # window does, so the window's own messages about it come last.
        detach_feeds = self._attach_feeds(profile, session)
        bridge = SessionBridge(session, self)
        connection = OpenConnection(profile, session, bridge, password)
        connection.detach_feeds = detach_feeds
        connection_id = profile.id
        bridge.status_changed.connect(
            lambda status: self._on_bridge_status_changed(connection, status)
        )
        bridge.snapshot_received.connect(
            lambda snapshot: self.snapshot_received.emit(connection_id, snapshot)
        )
        bridge.health_updated.connect(
            lambda health: self.health_updated.emit(connection_id, health)
        )
        self._open[connection_id] = connection
        self._unclosed.add(session)
        session.start()
        log.info("opened connection %s", profile.name)
        self.connection_opened.emit(connection)
        return connection

    def _attach_feeds(
        self, profile: ConnectionProfile, session: ConnectionSession
    ) -> list[Callable[[], None]]:
        """Subscribe the load history and the alert engine to the session's monitor."""
        detach: list[Callable[[], None]] = []
        # Each in a loop callback of its own (see subscribe_deferred), in this order.
        if self._history is not None:
            feeder = HistoryFeeder(self._history, profile.id)
            detach.append(subscribe_deferred(session.monitor, feeder))
        alerts = self._alerts
        if alerts is not None:

            def feed_alerts(event: MonitorEvent) -> None:
                alerts.feed(profile.id, profile.name, event)

            detach.append(subscribe_deferred(session.monitor, feed_alerts))
        return detach

    def _on_bridge_status_changed(self, connection: OpenConnection, status: MonitorStatus) -> None:
        if self._open.get(connection.id) is not connection:
            return  # a session being replaced or closed
        if status.state is ConnectionState.AUTH_FAILED and _password_rejected(status):
            connection.password.forget()
        self.status_changed.emit(connection.id, status)

    async def _retry(self, connection: OpenConnection) -> None:
        if connection.status.state is ConnectionState.AUTH_FAILED:
            try:
                await connection.session.client.login()
            except AuthenticationError:
                connection.password.forget()
                raise
        connection.session.monitor.retry_now()

    def _close_later(self, connection: OpenConnection) -> None:
        for detach in connection.detach_feeds:
            detach()
        connection.bridge.detach()
        connection.bridge.deleteLater()
        self._runner.start(
            self._await_close(connection.session), name=f"close {connection.profile.name}"
        )

    async def _await_close(self, session: ConnectionSession) -> None:
        # Shielded: cancelling this waiter (the runner shutting down) never leaves the
        # session half closed; ``close_all`` then awaits the same closing task.
        await asyncio.shield(self._closer(session))

    def _closer(self, session: ConnectionSession) -> asyncio.Task[None]:
        """The one task that closes ``session``."""
        task = self._closers.get(session)
        if task is None:
            task = asyncio.get_running_loop().create_task(
                self._close_session(session), name=f"closing {session.profile.name}"
            )
            self._closers[session] = task
        return task

    async def _close_session(self, session: ConnectionSession) -> None:
        if self._before_close is not None:
            try:
                await self._before_close(session)
            except Exception:
                log.exception("preparing to close %s failed", session.profile.name)
        await session.aclose()
        self._unclosed.discard(session)
        self._closers.pop(session, None)
        log.info("closed connection %s", session.profile.name)


def _same_account(old: ConnectionProfile, new: ConnectionProfile) -> bool:
    return old.username == new.username and old.urls == new.urls


def _password_rejected(status: MonitorStatus) -> bool:
    error = status.error
    return isinstance(error, AuthenticationError) and error.kind in (
        AuthErrorKind.BAD_CREDENTIALS,
        AuthErrorKind.EXPIRED,
    )
