"""EmptyState: what the cluster pane shows before it has a cluster to show."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

NO_CONNECTIONS_TEXT = (
    "No connections yet. Add the address of a Management Tool of your cluster, or "
    "try the console on a simulated cluster first."
)


class EmptyState(QWidget):
    """A centred text, and on a first start (no connections at all) two ways to begin.

    Signals:
        add_requested(): "Add a connection…" was pressed.
        demo_requested(): "Open the demo" was pressed.
    """

    add_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clusterEmptyState")
        self.label = QLabel(self)
        self.label.setObjectName("clusterEmptyText")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.add_button = QPushButton("Add a connection…", self)
        self.add_button.setObjectName("emptyAddConnection")
        self.add_button.clicked.connect(self.add_requested)
        self.demo_button = QPushButton("Open the demo", self)
        self.demo_button.setObjectName("emptyOpenDemo")
        self.demo_button.setToolTip(
            "Start a simulated five-server cluster on this computer and open it; "
            "it is not saved and stops when the console closes"
        )
        self.demo_button.clicked.connect(self.demo_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.show_text("")

    def text(self) -> str:
        return self.label.text()

    def show_text(self, text: str, *, first_start: bool = False) -> None:
        """Show ``text``; with ``first_start`` also the two buttons."""
        self.label.setText(text)
        self.add_button.setVisible(first_start)
        self.demo_button.setVisible(first_start)
