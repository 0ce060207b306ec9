"""WindowStatusBar: the last message, the endpoint in use, the last update and the state."""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStatusBar, QWidget

from app.monitor import ConnectionState, MonitorStatus
from ui.connections.state_icons import state_icon
from ui.dialogs.error_details import ErrorDetailsDialog, Notice
from ui.elided_label import ElidedLabel

if TYPE_CHECKING:
    from datetime import datetime

    from app.connections import ConnectionProfile

log = logging.getLogger(__name__)

MAX_NOTICES = 100
MAX_URL_CHARS = 40


def poll_text(seconds: float) -> str:
    """ "Polling every 2 s" / "every 1 min"."""
    if seconds < 60:
        return f"Polling every {seconds:g} s"
    return f"Polling every {seconds / 60:g} min"


class _StateLabel(QWidget):
    """The connection state as an icon and its words (never colour alone)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("connectionStateLabel")
        self.picture = QLabel(self)
        self.text = QLabel(self)
        self.text.setObjectName("connectionStateText")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picture)
        layout.addWidget(self.text)

    def show_state(self, state: ConnectionState) -> None:
        size = self.fontMetrics().height()
        self.picture.setPixmap(state_icon(state).pixmap(size, size))
        self.text.setText(state.label)
        self.setAccessibleName(f"Connection state: {state.label}")


class WindowStatusBar(QStatusBar):
    """Shows ``Notice`` messages (with "Details…" for the recent ones), the endpoint in
    use, the time of the last update, the poll interval and the connection state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setAccessibleName("Status bar")
        self._notices: deque[Notice] = deque(maxlen=MAX_NOTICES)
        self._dialog: ErrorDetailsDialog | None = None
        # What show_connection last showed besides the time of the last update.
        self._connection_inputs: tuple[object, ...] | None = None

        # Long messages and URLs are elided (full text in the tooltip) rather than
        # forcing a minimum window width or running into their neighbours.
        self.message_label = ElidedLabel(self)
        self.message_label.setObjectName("statusMessage")
        self.details_link = QLabel('<a href="details">Details…</a>', self)
        self.details_link.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.details_link.setObjectName("statusDetailsLink")
        self.details_link.setAccessibleName("Show message details")
        self.details_link.setToolTip("Recent messages with their technical details")
        self.details_link.linkActivated.connect(self._on_details_link_activated)
        self.details_link.hide()
        self.endpoint_label = ElidedLabel(self, Qt.TextElideMode.ElideMiddle)
        self.endpoint_label.setObjectName("statusEndpoint")
        self.endpoint_label.setMaximumWidth(self.fontMetrics().averageCharWidth() * MAX_URL_CHARS)
        self.updated_label = QLabel(self)
        self.updated_label.setObjectName("statusUpdated")
        self.poll_label = QLabel(self)
        self.poll_label.setObjectName("statusPollInterval")
        self.state_label = _StateLabel(self)

        self.addWidget(self.message_label, 1)
        self.addWidget(self.details_link)
        self.addPermanentWidget(self.endpoint_label)
        self.addPermanentWidget(self.updated_label)
        self.addPermanentWidget(self.poll_label)
        self.addPermanentWidget(self.state_label)
        self.show_connection(None, None)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # a rich-text label colours its link when its text is set (light or dark)
            text = self.details_link.text()
            self.details_link.clear()  # setText of the same text changes nothing
            self.details_link.setText(text)
            self._connection_inputs = None  # the state's icon is drawn afresh next time

    # -- messages --------------------------------------------------------------------------
    @property
    def notices(self) -> list[Notice]:
        return list(self._notices)

    def post(self, notice: Notice) -> None:
        """Show ``notice`` until the next one; its detail goes to the log."""
        self._notices.append(notice)
        self.message_label.set_full_text(notice.message)
        self.message_label.setToolTip(notice.message)
        self.details_link.setVisible(True)
        if notice.error:
            log.warning("%s | %s", notice.message, notice.detail)
        else:
            log.info("%s", notice.message)

    def open_details(self) -> ErrorDetailsDialog:
        """Open the Messages dialog (window-modal, non-blocking)."""
        if self._dialog is not None:
            self._dialog.close()
        dialog = ErrorDetailsDialog(self.notices, self.window())
        dialog.finished.connect(lambda _result: self._on_dialog_finished(dialog))
        self._dialog = dialog
        dialog.open()
        return dialog

    # -- connection ------------------------------------------------------------------------
    def show_connection(
        self, profile: ConnectionProfile | None, status: MonitorStatus | None
    ) -> None:
        """Describe the current connection (None: no connection is open).

        Called after every poll, when usually only the time of the last update changed:
        the rest is touched only when its inputs changed."""
        state = status.state if status is not None else ConnectionState.IDLE
        url = status.active_url if status is not None else None
        inputs = (state, profile, url)
        unchanged = inputs == self._connection_inputs
        self._connection_inputs = inputs
        if not unchanged:
            self.state_label.show_state(state)
        if profile is None:
            if not unchanged:
                for label in (self.endpoint_label, self.updated_label, self.poll_label):
                    label.clear()
                    label.hide()
            return
        when = status.last_success_at if status is not None else None
        if unchanged:
            self._show_updated(when)
            return
        endpoint = url or profile.urls[0]
        self.endpoint_label.set_full_text(endpoint)
        self.endpoint_label.setToolTip(f"The Management Tool endpoint in use: {endpoint}")
        self._show_updated(when)
        self.poll_label.setText(poll_text(profile.poll_interval_s))
        for label in (self.endpoint_label, self.updated_label, self.poll_label):
            label.show()

    def _show_updated(self, when: datetime | None) -> None:
        self.updated_label.setText(
            f"Updated {when.astimezone():%H:%M:%S}" if when is not None else "Not updated yet"
        )
        self.updated_label.setToolTip(
            when.astimezone().strftime("%Y-%m-%d %H:%M:%S") if when is not None else ""
        )

    def _on_details_link_activated(self, _link: str) -> None:
        self.open_details()

    def _on_dialog_finished(self, dialog: ErrorDetailsDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
        dialog.deleteLater()
