"""IsolateDialog: confirm isolating servers, showing where their Clients will go."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.analysis import IsolationImpact, is_serving, isolation_impact
from app.api.models import Server
from app.text_safety import display_text
from ui.cluster.formatting import clients_phrase, number_text
from ui.icons import icon

MAX_REASON_CHARS = 200


def _names(servers: Sequence[Server]) -> str:
    """The servers' names, made safe to show (escapes spelled out, long names cut)."""
    names = [display_text(s.name) for s in servers]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class IsolateDialog(QDialog):
    """Asks to isolate ``isolate_ids`` among ``servers`` (the whole cluster).

    Shows every Client still to move (those of the servers to isolate and those still
    leaving servers already out of service), the servers that stay in service with the
    load each would carry afterwards (``app.impact``), warnings when one or no server
    would stay in service or a server would carry more than ``capacity`` Clients, and an
    optional reason. ``problems`` (server id to what its healthcheck found wrong) names
    a server left in service while unhealthy. When no server would stay in service, the
    admin must type the name given in ``confirmation_text`` before the Isolate button is
    enabled; ``force()`` is then True.
    """

    def __init__(
        self,
        servers: Sequence[Server],
        isolate_ids: Sequence[str],
        parent: QWidget | None = None,
        *,
        capacity: int | None = None,
        problems: Mapping[str, str] | None = None,
    ) -> None:
        impact = isolation_impact(servers, isolate_ids, capacity=capacity, problems=problems)
        if not impact.isolating:  # checked before any Qt object exists
            raise ValueError("none of the servers to isolate is in the cluster")
        super().__init__(parent)
        self.impact: IsolationImpact = impact
        isolating = self.impact.isolating
        self.setObjectName("isolateDialog")
        title = (
            f"Isolate {display_text(isolating[0].name)}"
            if len(isolating) == 1
            else f"Isolate {len(isolating)} servers"
        )
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setWindowIcon(icon("isolate"))

        layout = QVBoxLayout(self)
        self.summary_label = self._summary_label(isolating)
        self.impact_view = self._impact_view()
        layout.addWidget(self.summary_label)
        layout.addWidget(self.impact_view)
        self.warning_box = self._warnings(self.impact.warnings())
        layout.addWidget(self.warning_box)
        form = QFormLayout()
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("isolateReason")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setMaxLength(MAX_REASON_CHARS)
        self.reason_edit.setPlaceholderText("For example: Windows updates")
        self.reason_edit.setToolTip("Shown to other administrators in the cluster view.")
        form.addRow("&Reason (optional):", self.reason_edit)
        layout.addLayout(form)

        # The escaped spelling: what the dialog shows is what the admin can type.
        self.confirmation_text = display_text(
            next((s.name for s in isolating if is_serving(s)), isolating[0].name), None
        )
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setObjectName("isolateConfirmName")
        self.confirm_edit.setAccessibleName("Type the server name to confirm")
        if self.impact.leaves_none_serving:
            confirm_form = QFormLayout()
            confirm_form.addRow(f"&Type {self.confirmation_text} to confirm:", self.confirm_edit)
            layout.addLayout(confirm_form)
        else:
            self.confirm_edit.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("isolateButtons")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("isolateOk")
        self.ok_button.setText("&Isolate")
        self.ok_button.setIcon(icon("isolate"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.confirm_edit.textChanged.connect(self._on_confirm_edit_text_changed)
        self._on_confirm_edit_text_changed(self.confirm_edit.text())
        (self.confirm_edit if self.impact.leaves_none_serving else self.reason_edit).setFocus()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)

    # -- answers ---------------------------------------------------------------------------
    def warning_texts(self) -> list[str]:
        """The warnings shown, one a line (empty when there is none)."""
        return list(self.impact.warnings())

    def impact_rows(self) -> list[list[str]]:
        """The rows of the "stays in service" table as shown (name, now, after)."""
        rows = []
        for index in range(self.impact_view.topLevelItemCount()):
            item = self.impact_view.topLevelItem(index)
            if item is not None:
                rows.append([item.text(column) for column in range(3)])
        return rows

    @property
    def isolate_ids(self) -> list[str]:
        return [s.id for s in self.impact.isolating]

    def reason(self) -> str | None:
        """The reason typed, or None when left empty."""
        return self.reason_edit.text().strip() or None

    def force(self) -> bool:
        """True when isolating leaves no server in service and the admin confirmed it."""
        return self.impact.leaves_none_serving and self._confirmed()

    # -- building --------------------------------------------------------------------------
    def _summary_label(self, isolating: Sequence[Server]) -> QLabel:
        impact = self.impact
        moving = impact.moving
        names = html.escape(_names(isolating))  # the label is rich text
        verb = "stops" if len(isolating) == 1 else "stop"
        if impact.leaving:
            text = (
                f"<b>{names}</b> {verb} receiving new Clients. "
                f"{clients_phrase(impact.to_move)} move to the servers that stay in service, "
                f"gradually: {html.escape(impact.moving_text())}."
            )
        elif moving:
            text = (
                f"<b>{names}</b> {verb} receiving new Clients. The "
                f"{clients_phrase(moving)} connected now move to the servers that stay "
                "in service, gradually."
            )
        else:
            text = f"<b>{names}</b> {verb} receiving new Clients. No Client is connected now."
        label = QLabel(text, self)
        label.setObjectName("isolateSummary")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        return label

    def _impact_view(self) -> QTreeWidget:
        view = QTreeWidget(self)
        view.setObjectName("isolateImpactTable")
        view.setAccessibleName("Servers that stay in service")
        view.setRootIsDecorated(False)
        capacity = self.impact.capacity
        after_label = "Clients after" if capacity is None else f"After (limit {capacity})"
        view.setHeaderLabels(["Stays in service", "Clients now", after_label])
        view.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        warning_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for row in self.impact.staying:
            item = QTreeWidgetItem(
                [display_text(row.server.name), number_text(row.now), number_text(row.after)]
            )
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
            if row.over_capacity:
                item.setIcon(2, warning_icon)
                item.setToolTip(2, f"More than the {capacity} Clients per server allowed.")
            view.addTopLevelItem(item)
        if not self.impact.after:
            item = QTreeWidgetItem(["No server stays in service", "", ""])
            view.addTopLevelItem(item)
        header = view.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        rows = max(1, len(self.impact.after))
        line = view.fontMetrics().height() + view.fontMetrics().height() // 2
        view.setFixedHeight(line * (min(rows, 6) + 1) + 2 * view.frameWidth() + 4)
        return view

    def _warnings(self, lines: Sequence[str]) -> QWidget:
        """A warning icon beside the warnings, one a line; hidden when there is none."""
        box = QWidget(self)
        box.setObjectName("isolateWarnings")
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        picture = QLabel(box)
        size = self.fontMetrics().height() * 2
        warning_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        picture.setPixmap(warning_icon.pixmap(size, size))
        picture.setAlignment(Qt.AlignmentFlag.AlignTop)
        text = QLabel("<br>".join(f"<b>{html.escape(line)}</b>" for line in lines), box)
        text.setObjectName("isolateWarningText")
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setAccessibleName("Warning: " + " ".join(lines))
        row.addWidget(picture)
        row.addWidget(text, 1)
        if not lines:
            box.hide()
        return box

    def _confirmed(self) -> bool:
        return self.confirm_edit.text().strip() == self.confirmation_text

    def _on_confirm_edit_text_changed(self, _text: str) -> None:
        allowed = not self.impact.leaves_none_serving or self._confirmed()
        self.ok_button.setEnabled(allowed)
        self.ok_button.setToolTip(
            "" if allowed else f"Type {self.confirmation_text} to isolate the last server."
        )
