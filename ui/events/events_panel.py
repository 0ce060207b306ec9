"""EventsPanel: the Events dock — filters, the table of events, CSV export."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.alerts import Severity
from app.events import EventRecord
from app.text_safety import display_text
from ui.events.events_filter import EventsFilterProxy
from ui.events.events_model import EventColumn, EventRole, EventsTableModel
from ui.icons import icon

ALL_CONNECTIONS = "All connections"
SEVERITY_CHOICES = (
    ("All severities", Severity.INFO),
    ("Warnings and critical", Severity.WARNING),
    ("Critical only", Severity.CRITICAL),
)


class EventsPanel(QDockWidget):
    """The dock (``objectName`` ``eventsPanel``) over an ``EventsTableModel``.

    Filters by connection (a list of the names seen), by server (text contained in a
    server's name) and by severity (at least). **Export CSV…** asks the owner to export
    the events shown, in the order shown.

    Signals:
        export_requested(): Export CSV… was chosen.
    """

    export_requested = Signal()

    def __init__(self, model: EventsTableModel, parent: QWidget | None = None) -> None:
        super().__init__("Events", parent)
        self.setObjectName("eventsPanel")
        self.setAccessibleName("Events")
        self.model = model
        self.proxy = EventsFilterProxy(self)
        self.proxy.setSourceModel(model)
        body = QWidget(self)
        body.setObjectName("eventsBody")
        self._build(body)
        self.setWidget(body)
        model.rowsInserted.connect(self._on_model_rows_inserted)
        model.rowsRemoved.connect(self._on_model_rows_changed)
        model.modelReset.connect(self._on_model_rows_changed)
        self._on_model_rows_changed()

    # -- building ---------------------------------------------------------------------------
    def _build(self, body: QWidget) -> None:
        self.connection_box = QComboBox(body)
        self.connection_box.setObjectName("eventsConnectionFilter")
        self.connection_box.setAccessibleName("Connection filter")
        self.connection_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.connection_box.setMinimumContentsLength(12)
        self.connection_box.addItem(ALL_CONNECTIONS, "")
        self.connection_box.currentIndexChanged.connect(self._on_connection_box_changed)
        self.server_edit = QLineEdit(body)
        self.server_edit.setObjectName("eventsServerFilter")
        self.server_edit.setAccessibleName("Server filter")
        self.server_edit.setPlaceholderText("Server name")
        self.server_edit.setClearButtonEnabled(True)
        self.server_edit.textChanged.connect(self.proxy.set_server)
        self.severity_box = QComboBox(body)
        self.severity_box.setObjectName("eventsSeverityFilter")
        self.severity_box.setAccessibleName("Severity filter")
        for text, severity in SEVERITY_CHOICES:
            self.severity_box.addItem(text, int(severity))
        self.severity_box.currentIndexChanged.connect(self._on_severity_box_changed)
        self.export_button = QPushButton(icon("export-csv"), "E&xport CSV…", body)
        self.export_button.setObjectName("eventsExportButton")
        self.export_button.setToolTip("Save the events shown as a CSV file")
        self.export_button.clicked.connect(self.export_requested)
        self.count_label = QLabel(body)
        self.count_label.setObjectName("eventsCount")

        self.table = QTableView(body)
        self.table.setObjectName("eventsTable")
        self.table.setAccessibleName("Events, newest first")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(EventColumn.TIME, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(round(self.fontMetrics().height() * 1.5))
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._fit_columns()

        filters = QHBoxLayout()
        filters.addWidget(self._label("Co&nnection:", self.connection_box, body))
        filters.addWidget(self.connection_box)
        filters.addWidget(self._label("Serv&er:", self.server_edit, body))
        filters.addWidget(self.server_edit, 1)
        filters.addWidget(self._label("Severit&y:", self.severity_box, body))
        filters.addWidget(self.severity_box)
        filters.addWidget(self.count_label)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(body)
        spacing = self.fontMetrics().height() // 3
        layout.setContentsMargins(spacing, spacing, spacing, spacing)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        body.setFocusProxy(self.table)
        self.setFocusProxy(self.table)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def _fit_columns(self) -> None:
        """Time and Severity wide enough for their whole text; the others by characters;
        Detail takes the rest."""
        metrics = self.table.fontMetrics()
        pad = metrics.height()  # the cell's margins and the sort indicator
        icon_side = self.table.style().pixelMetric(self.table.style().PixelMetric.PM_SmallIconSize)
        chars = metrics.averageCharWidth()
        widths = {
            EventColumn.TIME: metrics.horizontalAdvance("2026-12-31 23:59:59") + pad,
            EventColumn.SEVERITY: max(metrics.horizontalAdvance(s.label) for s in Severity)
            + icon_side
            + pad,
            EventColumn.CONNECTION: chars * 16,
            EventColumn.SERVER: chars * 14,
            EventColumn.EVENT: chars * 44,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)

    @staticmethod
    def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setBuddy(buddy)
        return label

    # -- queries ----------------------------------------------------------------------------
    def shown_records(self) -> list[EventRecord]:
        """The records the filters let through, in the order shown."""
        proxy = self.proxy
        return [proxy.index(row, 0).data(EventRole.RECORD) for row in range(proxy.rowCount())]

    def connection_names(self) -> list[str]:
        """The names offered by the connection filter (besides "All connections")."""
        return [str(self.connection_box.itemData(i)) for i in range(1, self.connection_box.count())]

    def focus_table(self) -> None:
        """Focus the table with its first row current (keyboard users land on a row)."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))

    # -- slots ------------------------------------------------------------------------------
    def _on_connection_box_changed(self, index: int) -> None:
        self.proxy.set_connection(str(self.connection_box.itemData(index) or ""))

    def _on_severity_box_changed(self, index: int) -> None:
        self.proxy.set_minimum(Severity(int(self.severity_box.itemData(index))))

    def _on_model_rows_inserted(
        self, _parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        """Only the new rows are looked at (events arrive one by one on a large table)."""
        known = set(self.connection_names())
        fresh = {self.model.record(row).connection for row in range(first, last + 1)}
        if not fresh <= known | {""}:
            self._set_connection_names(sorted((known | fresh) - {""}, key=str.casefold))
        self._update_count()

    def _on_model_rows_changed(self, *_: object) -> None:
        names = sorted(
            {record.connection for record in self.model.records() if record.connection},
            key=str.casefold,
        )
        if names != self.connection_names():
            self._set_connection_names(names)
        self._update_count()

    def _set_connection_names(self, names: list[str]) -> None:
        chosen = self.proxy.connection
        box = self.connection_box
        box.blockSignals(True)
        try:
            while box.count() > 1:
                box.removeItem(1)
            for name in names:
                box.addItem(display_text(name, 40), name)
                box.setItemData(
                    box.count() - 1, display_text(name, None), Qt.ItemDataRole.ToolTipRole
                )
            found = box.findData(chosen) if chosen else 0
            box.setCurrentIndex(max(0, found))
        finally:
            box.blockSignals(False)
        if chosen and box.findData(chosen) < 0:
            self.proxy.set_connection("")

    def _update_count(self, *_: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        noun = "event" if total == 1 else "events"
        self.count_label.setText(
            f"{total} {noun}" if shown == total else f"{shown} of {total} {noun}"
        )
