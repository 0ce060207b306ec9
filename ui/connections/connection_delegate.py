"""Paints a connection row: the usual icon and name, then its markers on the right.

Markers are a coloured environment tag badge with its label ("Production") and a muted
"read-only" text; the colour is never the only cue. Sizes come from the font metrics.

The name comes first: markers get only the room the name leaves, keeping at least
``NAME_MIN_CHARS`` characters of it (or all of it when shorter). When the full markers
do not fit, they shrink to their compact form (the tag's initial in its badge, "r/o");
when even that does not fit they are left out. The row's tooltip and accessible text
always name them, and the view elides the name in the middle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.connections import EnvironmentTag
from ui.connections.connection_tree_model import ConnectionRole

if TYPE_CHECKING:
    from app.connections import ConnectionProfile

AnyIndex = QModelIndex | QPersistentModelIndex
READ_ONLY_TEXT = "read-only"
READ_ONLY_COMPACT = "r/o"
NAME_MIN_CHARS = 16
"""Characters of a connection's name that markers never take the room of."""


def badge_text_colour(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background`` (WCAG relative luminance)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(background.redF())
        + 0.7152 * channel(background.greenF())
        + 0.0722 * channel(background.blueF())
    )
    return QColor("#000000") if luminance > 0.179 else QColor("#ffffff")


class ConnectionItemDelegate(QStyledItemDelegate):
    """Draws the tag badge and the read-only marker of connection rows."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        profile = index.data(ConnectionRole.PROFILE)
        if not _is_profile(profile) or not self._has_markers(profile):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        compact = self.markers_form(profile, opt, index)
        if compact is None:
            super().paint(painter, option, index)
            return
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        markers_width = self._markers_width(profile, opt.font, compact=compact)
        rect = QRect(opt.rect)
        text_opt = QStyleOptionViewItem(opt)
        text_opt.rect = rect.adjusted(0, 0, -markers_width, 0)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_opt, painter, widget)
        area = QRect(rect.right() - markers_width + 1, rect.top(), markers_width, rect.height())
        self._paint_markers(painter, opt, profile, area, compact=compact)

    def markers_form(
        self, profile: ConnectionProfile, option: QStyleOptionViewItem, index: AnyIndex
    ) -> bool | None:
        """False: full markers fit beside the name; True: only compact ones; None: none.

        ``option`` is initialised for ``index`` (its rect is the row's cell).
        """
        metrics = QFontMetrics(option.font)
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        icon_room = option.decorationSize.width() + 2 * metrics.averageCharWidth()
        name_room = min(
            metrics.horizontalAdvance(name),
            metrics.averageCharWidth() * NAME_MIN_CHARS,
        )
        spare = option.rect.width() - icon_room - name_room
        if self._markers_width(profile, option.font, compact=False) <= spare:
            return False
        if self._markers_width(profile, option.font, compact=True) <= spare:
            return True
        return None

    def name_width(self, option: QStyleOptionViewItem, index: AnyIndex) -> int:
        """The width the name of ``index`` is drawn in (``option`` initialised for it)."""
        metrics = QFontMetrics(option.font)
        width = option.rect.width() - option.decorationSize.width() - 2 * metrics.averageCharWidth()
        profile = index.data(ConnectionRole.PROFILE)
        if _is_profile(profile) and self._has_markers(profile):
            compact = self.markers_form(profile, option, index)
            if compact is not None:
                width -= self._markers_width(profile, option.font, compact=compact)
        return max(0, width)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        profile = index.data(ConnectionRole.PROFILE)
        if _is_profile(profile) and self._has_markers(profile):
            size.setWidth(size.width() + self._markers_width(profile, option.font))
        return size

    # -- markers ---------------------------------------------------------------------------
    @staticmethod
    def _has_markers(profile: ConnectionProfile) -> bool:
        return profile.tag is not EnvironmentTag.NONE or profile.read_only

    @staticmethod
    def _badge_font(font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        small.setBold(True)
        return small

    @staticmethod
    def _tag_text(profile: ConnectionProfile, compact: bool) -> str:
        return profile.tag.label[:1] if compact else profile.tag.label

    def _markers_width(
        self, profile: ConnectionProfile, font: QFont, *, compact: bool = False
    ) -> int:
        metrics = QFontMetrics(font)
        gap = metrics.averageCharWidth()
        width = gap
        if profile.read_only:
            text = READ_ONLY_COMPACT if compact else READ_ONLY_TEXT
            width += metrics.horizontalAdvance(text) + gap
        if profile.tag is not EnvironmentTag.NONE:
            badge = QFontMetrics(self._badge_font(font))
            label = self._tag_text(profile, compact)
            width += badge.horizontalAdvance(label) + 2 * badge.averageCharWidth() + gap
        return width

    def _paint_markers(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        profile: ConnectionProfile,
        area: QRect,
        *,
        compact: bool = False,
    ) -> None:
        font: QFont = opt.font
        palette: QPalette = opt.palette
        metrics = QFontMetrics(font)
        gap = metrics.averageCharWidth()
        x = area.left() + gap
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if profile.read_only:
                read_only = READ_ONLY_COMPACT if compact else READ_ONLY_TEXT
                width = metrics.horizontalAdvance(read_only)
                selected = bool(opt.state & QStyle.StateFlag.State_Selected)
                role = (
                    QPalette.ColorRole.HighlightedText
                    if selected
                    else QPalette.ColorRole.PlaceholderText
                )
                painter.setFont(font)
                painter.setPen(palette.color(role))
                text_rect = QRect(x, area.top(), width, area.height())
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, read_only)
                x += width + gap
            if profile.tag is not EnvironmentTag.NONE:
                badge_font = self._badge_font(font)
                badge_metrics = QFontMetrics(badge_font)
                padding = badge_metrics.averageCharWidth()
                label = self._tag_text(profile, compact)
                width = badge_metrics.horizontalAdvance(label) + 2 * padding
                height = min(area.height() - 2, badge_metrics.height() + 2)
                badge = QRect(x, area.top() + (area.height() - height) // 2, width, height)
                colour = QColor(profile.tag.colour)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawRoundedRect(badge, height / 2, height / 2)
                painter.setFont(badge_font)
                painter.setPen(badge_text_colour(colour))
                painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
        finally:
            painter.restore()


def _is_profile(value: object) -> bool:
    from app.connections.model import ConnectionProfile  # loaded with the profiles shown

    return isinstance(value, ConnectionProfile)
