"""ClusterTableView: the table of Application Servers."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QPoint,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from ui.cluster.column_header import ColumnHeader
from ui.cluster.columns import DEFAULT_ORDER, Column, ServerRole
from ui.cluster.delegates import LoadShareDelegate
from ui.cluster.sort_repaint import SortRepaint

if TYPE_CHECKING:
    from app.api.models import Server

_STATE_PREFIX = struct.Struct(">III")  # magic, version, number of columns
_STATE_MAGIC = 0x45435456  # "ECTV"
_STATE_VERSION = 2  # 2: Name first, compact Status and Isolation


class ClusterTableView(QTableView):
    """Rows of servers; any model whose items answer ``ServerRole.SERVER`` works.

    Signals:
        context_menu_requested(QPoint): global position for the server context menu; from
            a right-click, the Menu key or Shift+F10 (then at the current row).
        server_activated(object): the ``Server`` of a row activated with Enter or a
            double-click.
    """

    context_menu_requested = Signal(QPoint)
    server_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clusterTable")
        self.setAccessibleName("Application Servers")
        self._header = ColumnHeader(self)
        self.setHorizontalHeader(self._header)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self._header.setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(round(self.fontMetrics().height() * 1.6))
        self._load_delegate = LoadShareDelegate(self)
        self.setItemDelegateForColumn(Column.LOAD_SHARE, self._load_delegate)
        self.activated.connect(self._on_table_activated)
        self._sort_repaint = SortRepaint(self, ServerRole.SERVER_ID)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Set the model and sort it as the header says (by name until restored)."""
        super().setModel(model)
        self._sort_repaint.watch(model)
        self.sortByColumn(self._header.sortIndicatorSection(), self._header.sortIndicatorOrder())

    def doItemsLayout(self) -> None:
        """Qt's layout of the items (and a repaint of the whole viewport), unless only a
        sort moved rows: then only what changed on screen is repainted."""
        if not self._sort_repaint.repaint_changes():
            super().doItemsLayout()

    @property
    def column_header(self) -> ColumnHeader:
        """The horizontal header (with the show/hide columns menu)."""
        return self._header

    def apply_default_widths(self) -> None:
        """Column order (``DEFAULT_ORDER``) and widths measured in the view's font (call
        once the model is set)."""
        header = self.horizontalHeader()
        for visual, column in enumerate(DEFAULT_ORDER):
            header.moveSection(header.visualIndex(column), visual)
        metrics = self.fontMetrics()
        padding = metrics.height()
        icon_space = round(metrics.height() * 1.5)
        for column in Column:
            width = metrics.horizontalAdvance(column.width_sample) + padding
            self.setColumnWidth(column, width + (icon_space if column.shows_icon else 0))

    def column_extent(self, column: Column) -> tuple[int, int]:
        """The column's left and right edge in viewport coordinates (as scrolled now)."""
        left = self.columnViewportPosition(column)
        return left, left + self.columnWidth(column)

    def visible_rows(self) -> range:
        """The rows (of the view's model) at least partly on screen."""
        first = self.rowAt(0)
        if first < 0:
            return range(0)
        last = self.rowAt(self.viewport().height() - 1)
        if last < 0:
            last = self.model().rowCount() - 1
        return range(first, last + 1)

    def selected_servers(self) -> list[Server]:
        """The selected servers, top to bottom as shown."""
        rows = sorted(self.selectionModel().selectedRows(), key=QModelIndex.row)
        if not rows:
            return []
        from app.api.models import Server  # loaded with the rows (not for the first paint)

        servers = (index.data(ServerRole.SERVER) for index in rows)
        return [server for server in servers if isinstance(server, Server)]

    # -- header state -------------------------------------------------------------------
    def save_state(self) -> QByteArray:
        """Column order, widths, hidden columns and sort, for ``restore_state``."""
        prefix = _STATE_PREFIX.pack(_STATE_MAGIC, _STATE_VERSION, len(Column))
        return QByteArray(prefix + self.horizontalHeader().saveState().data())

    def restore_state(self, state: QByteArray) -> bool:
        """Apply a ``save_state`` result; False (and nothing changed) if it does not fit.

        A state saved with other columns (an older or newer console) does not fit.
        """
        data = state.data()
        if len(data) <= _STATE_PREFIX.size:
            return False
        if _STATE_PREFIX.unpack_from(data) != (_STATE_MAGIC, _STATE_VERSION, len(Column)):
            return False
        header = self.horizontalHeader()
        if not header.restoreState(QByteArray(data[_STATE_PREFIX.size :])):
            return False
        self.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        return True

    # -- context menu -------------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() is QContextMenuEvent.Reason.Mouse:
            self.context_menu_requested.emit(event.globalPos())
        else:
            self.context_menu_requested.emit(self._keyboard_menu_position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        shift_f10 = (
            key == Qt.Key.Key_F10
            and event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            == Qt.KeyboardModifier.ShiftModifier
        )
        if key == Qt.Key.Key_Menu or shift_f10:
            self.context_menu_requested.emit(self._keyboard_menu_position())
            event.accept()
            return
        super().keyPressEvent(event)

    def _keyboard_menu_position(self) -> QPoint:
        """Just inside the current row's first visible cell, else the viewport's corner."""
        viewport = self.viewport()
        area = viewport.rect()
        current = self.currentIndex()
        cell = self.visualRect(current) if current.isValid() else QRect()
        inset = self.fontMetrics().height() // 2
        if cell.isValid() and area.intersects(cell):
            point = QPoint(max(area.left(), cell.left()) + inset, cell.center().y())
        else:
            point = area.topLeft() + QPoint(inset, inset)
        return viewport.mapToGlobal(point)

    def _on_table_activated(self, index: QModelIndex) -> None:
        from app.api.models import Server  # loaded with the rows

        server = index.data(ServerRole.SERVER)
        if isinstance(server, Server):
            self.server_activated.emit(server)
