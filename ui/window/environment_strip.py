"""EnvironmentStrip: a thin coloured bar naming the current connection's environment tag.

The native title bar cannot be coloured portably, so a Production connection (or any
tagged one) is marked by this bar under the toolbar: colour plus text, never colour alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.connections import EnvironmentTag
from ui.theme import text_colour_on

if TYPE_CHECKING:
    from app.connections import ConnectionProfile

_NOTES = {
    EnvironmentTag.PRODUCTION: "changes affect live servers",
}


class EnvironmentStrip(QLabel):
    """Hidden unless the shown connection has an environment tag."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentStrip")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.PlainText)
        padding = max(1, self.fontMetrics().height() // 8)
        self.setContentsMargins(0, padding, 0, padding)
        self._tag = EnvironmentTag.NONE
        self.hide()

    @property
    def tag(self) -> EnvironmentTag:
        """The tag shown (``NONE`` while hidden)."""
        return self._tag

    def show_profile(self, profile: ConnectionProfile | None) -> None:
        self._tag = profile.tag if profile is not None else EnvironmentTag.NONE
        if profile is None or profile.tag is EnvironmentTag.NONE:
            self.hide()
            return
        tag = profile.tag
        note = _NOTES.get(tag)
        text = f"{tag.label.upper()} — {profile.name}" + (f" — {note}" if note else "")
        self.setText(text)
        self.setAccessibleName(f"Environment: {tag.label}")
        self.setToolTip(f"{profile.name} is tagged {tag.label}.")
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.setStyleSheet(
            f"QLabel#environmentStrip {{ background: {tag.colour}; "
            f"color: {text_colour_on(tag.colour)}; }}"
        )
        self.show()
