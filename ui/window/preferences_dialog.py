"""PreferencesDialog: appearance, new connections' poll interval, alerts and downloads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.alerts import AlertKind
from app.connections.values import MAX_POLL_INTERVAL_S, MIN_POLL_INTERVAL_S
from ui.alerts import AlertPreferences
from ui.preferences import Preferences
from ui.theme import Appearance

SWITCHABLE_KINDS = tuple(kind for kind in AlertKind if kind is not AlertKind.SUPPRESSED)
"""The alert kinds a switch turns on or off (the rate-limit summary always stays)."""


class PreferencesDialog(QDialog):
    """Shows the current preferences; OK saves them (then the owner applies them).

    Appearance: the system's light/dark setting, or Light or Dark. New connections:
    the poll interval they start with. Alerts: which kinds connections without settings
    of their own raise, and whether closing the window keeps the console in the
    notification area. Downloads: the folder log downloads start in (empty: the last
    one used). Open it with ``open()``; ``accepted`` fires after the values are saved.
    """

    def __init__(
        self,
        preferences: Preferences,
        alert_preferences: AlertPreferences,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._preferences = preferences
        self._alerts = alert_preferences

        self.appearance_buttons: dict[Appearance, QRadioButton] = {}
        self._appearance_group = QButtonGroup(self)
        appearance_box = QGroupBox("Appearance", self)
        appearance_layout = QVBoxLayout(appearance_box)
        for appearance in Appearance:
            button = QRadioButton(appearance.label, appearance_box)
            button.setObjectName(f"appearance{appearance.value.capitalize()}")
            self._appearance_group.addButton(button)
            appearance_layout.addWidget(button)
            self.appearance_buttons[appearance] = button
        self.appearance_buttons[preferences.appearance()].setChecked(True)

        connections_box = QGroupBox("New connections", self)
        connections_form = QFormLayout(connections_box)
        self.poll_spin = QDoubleSpinBox(connections_box)
        self.poll_spin.setObjectName("defaultPollInterval")
        self.poll_spin.setAccessibleName("Default poll interval in seconds")
        self.poll_spin.setRange(MIN_POLL_INTERVAL_S, MAX_POLL_INTERVAL_S)
        self.poll_spin.setDecimals(1)
        self.poll_spin.setSingleStep(0.5)
        self.poll_spin.setSuffix(" s")
        self.poll_spin.setValue(preferences.default_poll_interval_s())
        connections_form.addRow("Poll &interval:", self.poll_spin)

        alerts_box = QGroupBox("Alerts", self)
        alerts_layout = QVBoxLayout(alerts_box)
        defaults = alert_preferences.defaults()
        self.alert_checks: dict[AlertKind, QCheckBox] = {}
        for kind in SWITCHABLE_KINDS:
            check = QCheckBox(kind.label, alerts_box)
            check.setObjectName(f"alertDefault_{kind.value}")
            check.setChecked(defaults.enabled(kind))
            alerts_layout.addWidget(check)
            self.alert_checks[kind] = check
        self.close_to_tray_check = QCheckBox(
            "Closing the window keeps the console in the notification area", alerts_box
        )
        self.close_to_tray_check.setObjectName("closeToTray")
        self.close_to_tray_check.setChecked(alert_preferences.close_to_tray())
        alerts_layout.addWidget(self.close_to_tray_check)
        alerts_box.setToolTip(
            "For connections without alert settings of their own (File > Alert settings…)"
        )

        downloads_box = QGroupBox("Downloads", self)
        downloads_row = QHBoxLayout(downloads_box)
        self.folder_edit = QLineEdit(downloads_box)
        self.folder_edit.setObjectName("downloadFolder")
        self.folder_edit.setAccessibleName("Download folder")
        self.folder_edit.setPlaceholderText("The last folder used")
        folder = preferences.download_folder()
        self.folder_edit.setText(str(folder) if folder is not None else "")
        browse = QPushButton("&Browse…", downloads_box)
        browse.setObjectName("browseDownloadFolder")
        browse.clicked.connect(self._on_browse_clicked)
        downloads_row.addWidget(self.folder_edit, 1)
        downloads_row.addWidget(browse)
        self.folder_dialog: QFileDialog | None = None

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for box in (appearance_box, connections_box, alerts_box, downloads_box):
            layout.addWidget(box)
        layout.addWidget(buttons)

    def chosen_appearance(self) -> Appearance:
        return next(a for a, button in self.appearance_buttons.items() if button.isChecked())

    def accept(self) -> None:
        """Save every value, then close with ``accepted``."""
        self._preferences.set_appearance(self.chosen_appearance())
        self._preferences.set_default_poll_interval_s(self.poll_spin.value())
        text = self.folder_edit.text().strip()
        self._preferences.set_download_folder(Path(text) if text else None)
        disabled = frozenset(k for k, check in self.alert_checks.items() if not check.isChecked())
        self._alerts.set_defaults(replace(self._alerts.defaults(), disabled=disabled))
        self._alerts.set_close_to_tray(self.close_to_tray_check.isChecked())
        super().accept()

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, "Download folder", self.folder_edit.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.folder_edit.setText)
        dialog.finished.connect(dialog.deleteLater)
        self.folder_dialog = dialog
        dialog.open()
