"""Painting of table cells that are more than an icon and a text."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.cluster.columns import ServerRole
from ui.theme import graphic_colour

_BAR_ALPHA = 110  # the bar is translucent so that the percentage on it stays readable
_PALETTES_KEPT = 8


class GraphicColours:
    """``graphic_colour`` of a palette, worked out once per palette and selection state
    rather than once per painted cell (it searches for a colour with enough contrast).

    Keyed by ``QPalette.cacheKey()``, which changes whenever a palette does.
    """

    def __init__(self) -> None:
        self._colours: dict[tuple[int, bool], QColor] = {}

    def get(self, palette: QPalette, *, selected: bool) -> QColor:
        key = (palette.cacheKey(), selected)
        colour = self._colours.get(key)
        if colour is None:
            if len(self._colours) >= 2 * _PALETTES_KEPT:
                self._colours.clear()
            colour = self._colours[key] = graphic_colour(palette, selected=selected)
        return colour


class LoadShareDelegate(QStyledItemDelegate):
    """A horizontal bar as long as the cell's ``ServerRole.LOAD_SHARE`` (0..1), with the
    display text ("34%") centred on it.

    The bar and its outline use the palette's highlight colour (highlighted text on a
    selected row) kept at 3:1 contrast with the background (``graphic_colour``), so they
    read in light, dark and high-contrast schemes; the bar is translucent under the
    text. Sizes follow the font. The text stays the cell's display and accessible text.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._colours = GraphicColours()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        share = index.data(ServerRole.LOAD_SHARE)
        fraction = min(1.0, max(0.0, float(share))) if isinstance(share, int | float) else 0.0
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        track = _bar_rect(opt.rect, opt.fontMetrics.height())

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        outline = self._colours.get(palette, selected=selected)
        painter.setPen(outline)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(track.adjusted(0, 0, -1, -1))
        bar_colour = QColor(outline)
        bar_colour.setAlpha(_BAR_ALPHA)
        filled = QRect(track)
        filled.setWidth(round(track.width() * fraction))
        painter.fillRect(filled, bar_colour)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(text_role))
        painter.setFont(opt.font)
        painter.drawText(track, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        metrics = option.fontMetrics
        return QSize(max(hint.width(), metrics.horizontalAdvance("100%") * 3), hint.height())


def _bar_rect(cell: QRect, line_height: int) -> QRect:
    """The bar's track inside a cell: a margin of a quarter line on every side."""
    margin = max(1, line_height // 4)
    return cell.adjusted(margin, margin, -margin, -margin)
