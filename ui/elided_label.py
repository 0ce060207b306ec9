"""ElidedLabel: one line of plain text that fits whatever width its layout gives it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A one-line plain-text label that elides its text to the width it is given.

    ``full_text`` is the whole text; the label asks for the text's width but accepts any
    width down to a few characters, so that a long text never pushes its neighbours over
    each other or its window off the screen. With ``tooltip_when_elided`` the label's
    tooltip is the whole text while it is elided and empty otherwise (an empty tooltip
    lets the parent's show).
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        *,
        tooltip_when_elided: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._mode = mode
        self._full = ""
        self._tooltip_when_elided = tooltip_when_elided
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    @property
    def full_text(self) -> str:
        return self._full

    def text(self) -> str:
        """The whole text (what the label shows may be elided: ``shown_text``)."""
        return self._full

    def shown_text(self) -> str:
        """The text as drawn, elided to the label's width."""
        return super().text()

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 4, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def is_elided(self) -> bool:
        return super().text() != self._full

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self._full, self._mode, max(0, self.width())))
        if self._tooltip_when_elided:
            self.setToolTip(self._full if self.is_elided() else "")
