"""HealthDialog: one server's own healthcheck report, with a live "Check now"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Server
from app.health_only.body import pretty_body
from app.monitor import ServerHealth
from app.text_safety import display_html, display_text
from ui.cluster.formatting import NO_VALUE, health_text, local_time_text
from ui.icons import icon

NOT_CHECKED = "Not checked yet."
NO_ENDPOINT = "{name} has no Management Tool endpoint of its own, so its health cannot be asked."


class HealthDialog(QDialog):
    """Shows a ``ServerHealth`` as a table of entries (check, status, description, duration).

    Signals:
        check_requested(): the user pressed "Check now"; the owner probes the server and
            calls ``show_health`` (or ``show_failure``).
    """

    check_requested = Signal()

    def __init__(
        self, server: Server, health: ServerHealth | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.server = server
        self.setObjectName("healthDialog")
        self.setWindowTitle(f"Health of {display_text(server.name)}")
        self.setAccessibleName(f"Health of {display_text(server.name)}")
        self.setWindowIcon(icon("health"))

        layout = QVBoxLayout(self)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("healthSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.entries = QTreeWidget(self)
        self.entries.setObjectName("healthEntries")
        self.entries.setAccessibleName("Healthcheck entries")
        self.entries.setRootIsDecorated(False)
        self.entries.setHeaderLabels(["Check", "Status", "Description", "Duration"])
        header = self.entries.header()
        for column in (0, 1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        layout.addWidget(self.entries)
        # The reply's text as the server sent it, made safe (never rendered as HTML).
        self.body_view = QPlainTextEdit(self)
        self.body_view.setObjectName("healthBody")
        self.body_view.setAccessibleName("Last reply of the healthcheck")
        self.body_view.setReadOnly(True)
        self.body_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.body_view.setVisible(False)
        layout.addWidget(self.body_view)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.check_button = QPushButton(icon("refresh"), "&Check now", self)
        self.check_button.setObjectName("healthCheckNow")
        self.check_button.setAccessibleName("Check now")
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        if server.management_url is None:
            self.check_button.setEnabled(False)
            self.check_button.setToolTip(NO_ENDPOINT.format(name=display_text(server.name)))
        else:
            self.check_button.setToolTip(f"Ask {server.management_url}/healthcheck now")
        layout.addWidget(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 90, self.fontMetrics().height() * 16)
        self.show_health(health)

    def show_health(self, health: ServerHealth | None) -> None:
        """Show a (new) result; None means the server was not checked yet."""
        self.set_checking(False)
        self.entries.clear()
        self.body_view.setVisible(False)
        if health is None:
            self.summary_label.setText(
                NO_ENDPOINT.format(name=display_text(self.server.name))
                if self.server.management_url is None
                else NOT_CHECKED
            )
            return
        checked = local_time_text(health.checked_at)
        if health.report is None:
            self.summary_label.setText(
                f"<b>{display_html(self.server.name)}</b>: the healthcheck could not be read "
                f"({display_html(health.error or 'unknown error', None)}). Checked {checked}."
            )
            return
        report = health.report
        self.body_view.setPlainText(pretty_body(report.body or ""))
        self.body_view.setVisible(bool(report.body))
        total = f", total {display_html(report.total_duration)}" if report.total_duration else ""
        if report.response_ms is not None:
            total += f", answered in {report.response_ms:.0f} ms"
        self.summary_label.setText(
            f"<b>{display_html(self.server.name)}</b>: {health_text(health)} "
            f"(HTTP {report.http_status}{total}). Checked {checked}."
        )
        for name, entry in report.entries.items():
            description = entry.description or ""
            item = QTreeWidgetItem(
                [
                    display_text(name),
                    entry.status.value,
                    display_text(description),
                    display_text(entry.duration or NO_VALUE),
                ]
            )
            item.setToolTip(2, display_text(description, None))
            self.entries.addTopLevelItem(item)

    def show_failure(self, message: str) -> None:
        """The live check failed before any report arrived."""
        self.set_checking(False)
        self.summary_label.setText(f"<b>{display_html(self.server.name)}</b>: {message}")

    def set_checking(self, checking: bool) -> None:
        """Disable "Check now" while a check runs."""
        if self.server.management_url is not None:
            self.check_button.setEnabled(not checking)
            self.check_button.setText("Checking…" if checking else "&Check now")

    def summary(self) -> str:
        return self.summary_label.text()

    def entry_rows(self) -> list[tuple[str, str]]:
        """(check, status) of every row, in order."""
        rows = []
        for index in range(self.entries.topLevelItemCount()):
            item = self.entries.topLevelItem(index)
            if item is not None:
                rows.append((item.text(0), item.text(1)))
        return rows

    def _on_check_button_clicked(self) -> None:
        self.set_checking(True)
        self.check_requested.emit()
