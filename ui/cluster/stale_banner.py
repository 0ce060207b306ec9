"""StaleBanner: a strip above the table that says the data is old or the connection failed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPalette, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.monitor import ConnectionState, MonitorStatus
from app.text_safety import display_text
from ui.icons import icon

Clock = Callable[[], datetime]

_REFRESH_MS = 1000
_TINT = 0.22  # how much of the severity colour is mixed into the window colour


class BannerSeverity(Enum):
    """How bad the connection problem is; the value is the accent colour."""

    WARNING = "#da7b00"
    ERROR = "#c50f1f"


_SEVERITY: dict[ConnectionState, BannerSeverity] = {
    ConnectionState.STALE: BannerSeverity.WARNING,
    ConnectionState.UNREACHABLE: BannerSeverity.WARNING,
    ConnectionState.AUTH_FAILED: BannerSeverity.ERROR,
    ConnectionState.TLS_PROBLEM: BannerSeverity.ERROR,
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StaleBanner(QFrame):
    """Shown while the shown cluster data cannot be refreshed; hidden otherwise.

    STALE and UNREACHABLE are warnings, AUTH_FAILED and TLS_PROBLEM errors; every other
    state hides the banner. The message is ``MonitorStatus.describe(clock())``, refreshed
    every second while the banner is visible. **Retry** emits ``retry_requested``;
    **Details** shows the error's technical detail as selectable text.
    """

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = _utcnow) -> None:
        super().__init__(parent)
        self.setObjectName("staleBanner")
        self.setAccessibleName("Connection problem")
        self._clock = clock
        self._status: MonitorStatus | None = None
        self._severity = BannerSeverity.WARNING

        self._icon = QLabel(self)
        self._icon.setObjectName("staleBannerIcon")
        self._title = QLabel(self)
        self._title.setObjectName("staleBannerTitle")
        title_font = self._title.font()
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._message = QLabel(self)
        self._message.setObjectName("staleBannerMessage")
        self._message.setWordWrap(True)
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._details_button = QPushButton("&Details", self)
        self._details_button.setObjectName("staleBannerDetailsButton")
        self._details_button.setCheckable(True)
        self._details_button.setToolTip("Show the technical details of the last error")
        self._details_button.toggled.connect(self._on_details_toggled)
        self._retry_button = QPushButton("&Retry", self)
        self._retry_button.setObjectName("staleBannerRetryButton")
        self._retry_button.setToolTip("Poll the cluster now")
        self._retry_button.clicked.connect(self.retry_requested)
        self._details = QLabel(self)
        self._details.setObjectName("staleBannerDetails")
        self._details.setAccessibleName("Error details")
        self._details.setTextFormat(Qt.TextFormat.PlainText)
        self._details.setWordWrap(True)
        self._details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._details_area = QScrollArea(self)
        self._details_area.setObjectName("staleBannerDetailsArea")
        self._details_area.setWidget(self._details)
        self._details_area.setWidgetResizable(True)
        self._details_area.setFrameShape(QFrame.Shape.NoFrame)
        self._details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._details_area.viewport().setAutoFillBackground(False)
        self._details.setAutoFillBackground(False)
        self._details_area.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self._details_area.hide()

        self._timer = QTimer(self)
        self._timer.setInterval(_REFRESH_MS)
        self._timer.timeout.connect(self._refresh_text)
        self._lay_out()
        self.hide()

    def _lay_out(self) -> None:
        spacing = self.fontMetrics().height() // 2
        row = QHBoxLayout()
        row.setSpacing(spacing)
        row.addWidget(self._icon)
        row.addWidget(self._title)
        row.addWidget(self._message, 1)
        row.addWidget(self._details_button)
        row.addWidget(self._retry_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(spacing * 2, spacing, spacing, spacing)
        column.addLayout(row)
        column.addWidget(self._details_area)

    # -- public -------------------------------------------------------------------------
    @property
    def severity(self) -> BannerSeverity | None:
        """The severity shown, or None while there is nothing to show."""
        if self._status is None or self._status.state not in _SEVERITY:
            return None
        return self._severity

    @property
    def message(self) -> str:
        """The current message line."""
        return self._message.text()

    @property
    def details(self) -> str:
        """The technical detail behind **Details** ("" when the error has none)."""
        return self._details.text()

    def set_status(self, status: MonitorStatus) -> None:
        """Show or hide the banner for ``status`` and describe it."""
        self._status = status
        severity = _SEVERITY.get(status.state)
        if severity is None:
            self.hide()
            return
        self._severity = severity
        self._icon.setPixmap(self._icon_pixmap(severity))
        self._icon.setAccessibleName("Error" if severity is BannerSeverity.ERROR else "Warning")
        self._title.setText(status.state.label)
        detail = _detail_text(status)
        self._details.setText(detail)
        self._details_button.setVisible(bool(detail))
        self._details_area.setVisible(bool(detail) and self._details_button.isChecked())
        self._refresh_text()
        self.show()
        self.update()

    # -- events -------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh_text()
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """A background tinted with the severity colour and an accent bar on the left."""
        accent = QColor(self._severity.value)
        base = self.palette().color(QPalette.ColorRole.Window)
        painter = QPainter(self)
        painter.fillRect(self.rect(), _mix(base, accent, _TINT))
        bar = self.rect()
        bar.setWidth(max(2, self.fontMetrics().height() // 4))
        painter.fillRect(bar, accent)
        painter.end()
        super().paintEvent(event)

    # -- helpers ------------------------------------------------------------------------
    def _refresh_text(self) -> None:
        if self._status is None:
            return
        text = self._status.describe(self._clock())
        if text != self._message.text():
            self._message.setText(text)
            self.setAccessibleDescription(f"{self._status.state.label}: {text}")

    def _on_details_toggled(self, checked: bool) -> None:
        self._details_area.setVisible(checked and bool(self._details.text()))
        self._details_button.setText("Hide &details" if checked else "&Details")

    def _icon_pixmap(self, severity: BannerSeverity) -> QPixmap:
        name = "banner-error" if severity is BannerSeverity.ERROR else "banner-warning"
        size = round(self.fontMetrics().height() * 1.25)
        return icon(name).pixmap(QSize(size, size), self.devicePixelRatioF())


def _detail_text(status: MonitorStatus) -> str:
    """The error's detail, then every endpoint the poll tried with its own result."""
    error = status.error
    if error is None:
        return ""
    if len(status.attempts) > 1:
        lines = ["Endpoints tried:"]
        lines += [f"• {display_text(a.describe(), None)}" for a in status.attempts]
        if error.detail:
            lines.append(f"Last error: {error.detail}")
        return "\n".join(lines)
    lines = [error.detail] if error.detail else []
    if error.url:
        lines.append(f"Endpoint: {error.url}")
    return "\n".join(lines)


def _mix(base: QColor, accent: QColor, amount: float) -> QColor:
    """``base`` with ``amount`` (0..1) of ``accent`` mixed in."""
    return QColor.fromRgbF(
        base.redF() + (accent.redF() - base.redF()) * amount,
        base.greenF() + (accent.greenF() - base.greenF()) * amount,
        base.blueF() + (accent.blueF() - base.blueF()) * amount,
    )
