"""VersionDialog: the versions servers report live, next to the whole cluster's versions."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.analysis import majority_version, version_mismatches
from app.api.models import Server, VersionInfo
from app.text_safety import display_text
from ui.cluster.formatting import NO_VALUE
from ui.icons import icon

ASKING = "Asking…"
NOT_ASKED = "Not asked"
DIFFERENT = "Differs from most servers"


class VersionColumn(IntEnum):
    SERVER = 0
    IN_CLUSTER = 1
    LIVE = 2
    NOTE = 3


_HEADERS = {
    VersionColumn.SERVER: "Server",
    VersionColumn.IN_CLUSTER: "Version in cluster view",
    VersionColumn.LIVE: "Version reported live",
    VersionColumn.NOTE: "Note",
}


class VersionDialog(QDialog):
    """Every server of the cluster with the version the cluster view shows; the servers in
    ``asked_ids`` also get the version they report live (``set_answer``/``set_failure``).

    A server whose version differs from the majority's is marked with a warning icon
    and the text "Differs from most servers" (never by colour alone).
    """

    def __init__(
        self,
        servers: Sequence[Server],
        asked_ids: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("versionDialog")
        self.setWindowTitle("Application Server versions")
        self.setAccessibleName("Application Server versions")
        self.setWindowIcon(icon("version"))
        self._servers = list(servers)
        self._majority = majority_version(self._servers)
        self._mismatches = version_mismatches(self._servers)
        self._items: dict[str, QTreeWidgetItem] = {}

        layout = QVBoxLayout(self)
        self.summary_label = QLabel(self._summary(), self)
        self.summary_label.setObjectName("versionSummary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.table = QTreeWidget(self)
        self.table.setObjectName("versionTable")
        self.table.setAccessibleName("Versions by server")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([_HEADERS[c] for c in VersionColumn])
        for server in self._servers:
            item = QTreeWidgetItem(["", "", "", ""])
            item.setText(VersionColumn.SERVER, display_text(server.name))
            item.setData(VersionColumn.SERVER, Qt.ItemDataRole.UserRole, server.id)
            item.setText(VersionColumn.IN_CLUSTER, display_text(server.version or NO_VALUE))
            item.setText(VersionColumn.LIVE, ASKING if server.id in asked_ids else NOT_ASKED)
            self.table.addTopLevelItem(item)
            self._items[server.id] = item
            self._mark(server.id, server.version)
        header = self.table.header()
        header.setStretchLastSection(True)
        for column in (VersionColumn.SERVER, VersionColumn.IN_CLUSTER, VersionColumn.LIVE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(chars * 100, self.fontMetrics().height() * (len(self._servers) + 12))

    # -- answers ---------------------------------------------------------------------------
    def set_answer(self, server_id: str, info: VersionInfo) -> None:
        """Show the version ``server_id`` reported live (with its build, when given)."""
        item = self._items.get(server_id)
        if item is None:
            return
        text = info.version if not info.build else f"{info.version} (build {info.build})"
        text = display_text(text)
        item.setText(VersionColumn.LIVE, text)
        self._mark(server_id, info.version)

    def set_failure(self, server_id: str, message: str) -> None:
        """Show why ``server_id`` could not be asked (one line)."""
        item = self._items.get(server_id)
        if item is None:
            return
        item.setText(VersionColumn.LIVE, "No answer")
        item.setToolTip(VersionColumn.LIVE, message)
        item.setText(VersionColumn.NOTE, message)

    def live_text(self, server_id: str) -> str:
        return self._items[server_id].text(VersionColumn.LIVE)

    def note_text(self, server_id: str) -> str:
        return self._items[server_id].text(VersionColumn.NOTE)

    def is_marked(self, server_id: str) -> bool:
        """True when ``server_id`` is marked as running a different version."""
        return self.note_text(server_id).startswith(DIFFERENT)

    # -- internals -------------------------------------------------------------------------
    def _summary(self) -> str:
        if self._majority is None:
            return "The cluster view shows no versions."
        count = len(self._mismatches)
        if not count:
            return f"Every server runs {display_text(self._majority)}."
        servers = "1 server runs" if count == 1 else f"{count} servers run"
        return f"Most servers run {display_text(self._majority)}; {servers} a different version."

    def _mark(self, server_id: str, version: str | None) -> None:
        item = self._items[server_id]
        differs = bool(version and self._majority and version != self._majority)
        if differs:
            warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            item.setIcon(VersionColumn.NOTE, warning)
            item.setText(VersionColumn.NOTE, f"{DIFFERENT} ({self._majority})")
        elif item.text(VersionColumn.NOTE).startswith(DIFFERENT):
            item.setIcon(VersionColumn.NOTE, QIcon())
            item.setText(VersionColumn.NOTE, "")
