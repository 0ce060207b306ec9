"""AlertSettingsDialog: which alerts one connection raises, and when it counts as lost."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.alerts import AlertKind, AlertSettings

CHOOSABLE_KINDS = tuple(kind for kind in AlertKind if kind is not AlertKind.SUPPRESSED)
"""Every kind but the rate-limit summary, which cannot be switched off."""
MAX_LOST_AFTER_S = 3600
MAX_PER_MINUTE = 60


def kind_object_name(kind: AlertKind) -> str:
    """ "alertKindConnectionLost" for ``CONNECTION_LOST``."""
    return "alertKind" + "".join(part.capitalize() for part in kind.value.split("_"))


class AlertSettingsDialog(QDialog):
    """Edits a connection's ``AlertSettings``: a check box per alert kind, the delay before
    failing polls count as a lost connection, and the alerts-per-minute limit.

    Open it with ``open()``; after ``accepted``, ``settings()`` holds the choice (values
    the dialog does not show, such as the flapping rule, are kept as they were).
    """

    def __init__(
        self, connection_name: str, settings: AlertSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("alertSettingsDialog")
        self.setWindowTitle(f"Alerts for {connection_name}")
        self.setAccessibleName(f"Alerts for {connection_name}")
        self._initial = settings

        kinds = QGroupBox("Tell me when", self)
        kinds.setObjectName("alertKinds")
        kinds_layout = QVBoxLayout(kinds)
        self.kind_boxes: dict[AlertKind, QCheckBox] = {}
        for kind in CHOOSABLE_KINDS:
            box = QCheckBox(kind.label, kinds)
            box.setObjectName(kind_object_name(kind))
            box.setChecked(settings.enabled(kind))
            kinds_layout.addWidget(box)
            self.kind_boxes[kind] = box

        self.lost_after = QSpinBox(self)
        self.lost_after.setObjectName("connectionLostAfter")
        self.lost_after.setAccessibleName("Report a lost connection after, in seconds")
        self.lost_after.setRange(0, MAX_LOST_AFTER_S)
        self.lost_after.setSuffix(" s")
        self.lost_after.setValue(round(settings.connection_lost_after_s))
        self.lost_after.setToolTip(
            "How long updates must fail before the connection counts as lost"
        )
        lost_box = self.kind_boxes[AlertKind.CONNECTION_LOST]
        lost_box.toggled.connect(self._on_lost_box_toggled)
        self._on_lost_box_toggled(lost_box.isChecked())

        self.per_minute = QSpinBox(self)
        self.per_minute.setObjectName("alertsPerMinute")
        self.per_minute.setAccessibleName("At most this many alerts per minute")
        self.per_minute.setRange(1, MAX_PER_MINUTE)
        self.per_minute.setValue(settings.max_per_minute)
        self.per_minute.setToolTip("Further alerts within the same minute are summed up in one")

        form = QFormLayout()
        lost_label = QLabel("Report a lost connection &after:", self)
        lost_label.setBuddy(self.lost_after)
        form.addRow(lost_label, self.lost_after)
        limit_label = QLabel("Show at &most, per minute:", self)
        limit_label.setBuddy(self.per_minute)
        form.addRow(limit_label, self.per_minute)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(kinds)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def settings(self) -> AlertSettings:
        """The settings as the dialog shows them."""
        disabled = frozenset(kind for kind, box in self.kind_boxes.items() if not box.isChecked())
        return replace(
            self._initial,
            disabled=disabled,
            connection_lost_after_s=float(self.lost_after.value()),
            max_per_minute=self.per_minute.value(),
        )

    def _on_lost_box_toggled(self, checked: bool) -> None:
        self.lost_after.setEnabled(checked)
