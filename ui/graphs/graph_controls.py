"""GraphControls: the row above the load graph — time range, Follow live and Export."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from ui.graphs.graph_range import GraphRange
from ui.icons import icon

NOTHING_TO_EXPORT = "Nothing to export yet: this connection has no load history."
_PNG_TIP = "Save the graph as shown as a PNG picture"
_CSV_TIP = "Save the values in view as a CSV table: time, one column per server, total"


class GraphControls(QWidget):
    """The range selector, the Follow live toggle and the two Export buttons.

    Signals:
        range_chosen(GraphRange): the user picked a time range.
        follow_toggled(bool): the user switched Follow live on or off.
        export_png_requested(), export_csv_requested(): an Export button was pressed.
    """

    range_chosen = Signal(object)
    follow_toggled = Signal(bool)
    export_png_requested = Signal()
    export_csv_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphControls")
        label = QLabel("&Show:", self)
        self.range_box = QComboBox(self)
        self.range_box.setObjectName("graphRange")
        self.range_box.setAccessibleName("Time range")
        self.range_box.setToolTip("How much of the load history to show, ending now")
        for graph_range in GraphRange:
            self.range_box.addItem(graph_range.label, graph_range)
            self.range_box.setItemData(
                self.range_box.count() - 1,
                graph_range.description.capitalize(),
                Qt.ItemDataRole.ToolTipRole,
            )
        label.setBuddy(self.range_box)
        self.range_box.activated.connect(self._on_range_box_activated)

        self.follow_button = QToolButton(self)
        self.follow_button.setObjectName("graphFollowLive")
        self.follow_button.setText("&Follow live")
        self.follow_button.setAccessibleName("Follow live")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip(
            "Keep the newest data in view. Zooming or panning with the mouse turns this off."
        )
        self.follow_button.toggled.connect(self.follow_toggled)

        self.export_png_button = self._export_button(
            "graphExportPng", "Export &PNG…", "Export PNG", "export-png"
        )
        self.export_png_button.clicked.connect(self.export_png_requested)
        self.export_csv_button = self._export_button(
            "graphExportCsv", "Export &CSV…", "Export CSV", "export-csv"
        )
        self.export_csv_button.clicked.connect(self.export_csv_requested)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.range_box)
        layout.addWidget(self.follow_button)
        layout.addStretch(1)
        layout.addWidget(self.export_png_button)
        layout.addWidget(self.export_csv_button)

    @property
    def graph_range(self) -> GraphRange:
        value = self.range_box.currentData()
        return value if isinstance(value, GraphRange) else GraphRange.FIVE_MINUTES

    def show_range(self, graph_range: GraphRange) -> None:
        """Select ``graph_range`` in the box without announcing it."""
        self.range_box.setCurrentIndex(self.range_box.findData(graph_range))

    def show_follow(self, follow: bool) -> None:
        """Set the toggle without announcing it."""
        blocked = self.follow_button.blockSignals(True)
        self.follow_button.setChecked(follow)
        self.follow_button.blockSignals(blocked)

    def set_exportable(self, exportable: bool) -> None:
        """Enable the Export buttons, or disable them saying why."""
        for button, tip in ((self.export_png_button, _PNG_TIP), (self.export_csv_button, _CSV_TIP)):
            button.setEnabled(exportable)
            button.setToolTip(tip if exportable else NOTHING_TO_EXPORT)

    def _export_button(self, name: str, text: str, accessible: str, icon_name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setAccessibleName(accessible)
        button.setIcon(icon(icon_name))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setEnabled(False)
        button.setToolTip(NOTHING_TO_EXPORT)
        return button

    def _on_range_box_activated(self, _index: int) -> None:
        self.range_chosen.emit(self.graph_range)
