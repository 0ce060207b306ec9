"""ProgressDelegate: draws the Progress column as the platform style's progress bar."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from ui.downloads.downloads_model import DownloadRole

_RANGE = 1000


class ProgressDelegate(QStyledItemDelegate):
    """A bar filled to the index's ``DownloadRole.FRACTION`` with its display text on it.

    Rows whose fraction is unknown get the ordinary cell (their text, usually empty).
    """

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        fraction = index.data(DownloadRole.FRACTION)
        if fraction is None:
            super().paint(painter, option, index)
            return
        # Selection background and focus frame first, as for any other cell.
        background = QStyleOptionViewItem(option)
        self.initStyleOption(background, index)
        background.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, widget)

        bar = QStyleOptionProgressBar()
        if widget is not None:
            bar.initFrom(widget)
        margin = max(1, option.fontMetrics.height() // 6)
        bar.rect = option.rect.adjusted(margin, margin, -margin, -margin)
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.minimum, bar.maximum = 0, _RANGE
        bar.progress = round(min(1.0, max(0.0, float(fraction))) * _RANGE)
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        metrics = option.fontMetrics
        return QSize(max(hint.width(), metrics.horizontalAdvance("100 %") * 3), hint.height())
