"""The per-URL and login lines of a connection test, each with an icon and its text."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from ui.connections.connection_check import LOGIN_KEY, CheckOutcome, CheckResult
from ui.icons import icon

OUTCOME_ICONS: dict[CheckOutcome, str] = {
    CheckOutcome.OK: "conn-connected",
    CheckOutcome.WARNING: "conn-degraded",
    CheckOutcome.UNREACHABLE: "conn-unreachable",
    CheckOutcome.CERTIFICATE: "conn-tls-problem",
    CheckOutcome.LOGIN_FAILED: "conn-auth-failed",
    CheckOutcome.FAILED: "conn-unreachable",
    CheckOutcome.SKIPPED: "conn-idle",
}


class CheckResultsView(QWidget):
    """One row per URL (in the order given to ``start``) and one for the login.

    A row whose TLS error can be resolved by trusting the certificate gets an
    "Inspect certificate…" button.

    Signals:
        inspect_requested(CheckResult): the user wants to see that row's certificate.
    """

    inspect_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testResults")
        self.setAccessibleName("Connection test results")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(2, 1)
        self._rows: dict[str, int] = {}
        self._results: dict[str, CheckResult] = {}

    def start(self, urls: tuple[str, ...], *, login: bool = True) -> None:
        """Clear the view and show a "Testing…" row per URL and, with ``login``, for the
        login."""
        self.clear()
        for url in urls:
            self._add_row(url, url, "Testing…")
        if login:
            self._add_row(LOGIN_KEY, "Login", "Waiting for the healthchecks…")

    def clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)  # no parent, no reference: deleted now
        self._rows.clear()
        self._results.clear()

    def show_result(self, result: CheckResult) -> None:
        """Fill in the row of ``result.key`` (added at the end if it was not started)."""
        if result.key not in self._rows:
            self._add_row(result.key, result.url, "")
        self._results[result.key] = result
        row = self._rows[result.key]
        icon_label = self._widget(row, 0)
        text_label = self._widget(row, 2)
        size = self.fontMetrics().height()
        if isinstance(icon_label, QLabel):
            icon_label.setPixmap(icon(OUTCOME_ICONS[result.outcome]).pixmap(size, size))
            icon_label.setAccessibleName(result.outcome.value)
        if isinstance(text_label, QLabel):
            text_label.setText(result.text)
        if result.inspectable_tls_error is not None and self._widget(row, 3) is None:
            button = QPushButton("&Inspect certificate…", self)
            button.setObjectName(f"inspectCertificate{row}")
            button.setToolTip(
                "Show the certificate this server presented, to decide whether to trust it"
            )
            button.clicked.connect(lambda: self.inspect_requested.emit(self._results[result.key]))
            self._grid.addWidget(button, row, 3)

    def result(self, key: str) -> CheckResult | None:
        """The result of a URL (or ``LOGIN_KEY``), once known."""
        return self._results.get(key)

    def results(self) -> list[CheckResult]:
        return list(self._results.values())

    def row_text(self, key: str) -> str:
        """The text shown in the row of ``key`` ("" when there is no such row)."""
        row = self._rows.get(key)
        label = self._widget(row, 2) if row is not None else None
        return label.text() if isinstance(label, QLabel) else ""

    def inspect_button(self, key: str) -> QPushButton | None:
        row = self._rows.get(key)
        button = self._widget(row, 3) if row is not None else None
        return button if isinstance(button, QPushButton) else None

    def _add_row(self, key: str, title: str, text: str) -> None:
        row = len(self._rows)
        self._rows[key] = row
        status_icon = QLabel(self)
        status_icon.setFixedWidth(self.fontMetrics().height() + 4)
        self._grid.addWidget(status_icon, row, 0, Qt.AlignmentFlag.AlignTop)
        self._grid.addWidget(QLabel(title, self), row, 1, Qt.AlignmentFlag.AlignTop)
        text_label = QLabel(text, self)
        text_label.setObjectName(f"testResultText{row}")
        text_label.setWordWrap(True)
        text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._grid.addWidget(text_label, row, 2)

    def _widget(self, row: int, column: int) -> QWidget | None:
        item = self._grid.itemAtPosition(row, column)
        return item.widget() if item is not None else None
