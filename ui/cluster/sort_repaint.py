"""SortRepaint: after a sorted proxy moves rows, repaint only what changed on screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QRect,
    SignalInstance,
)
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QTableView

_SORT_HINT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
MAX_DIRTY_CELLS = 256
"""Changed cells remembered while a layout is pending; beyond this the whole viewport
is repainted (a view hidden for a long time)."""

_GeometryKey = tuple[int, ...]


class SortRepaint(QObject):
    """Works out which part of a table view a row-moving sort left unchanged.

    A ``QSortFilterProxyModel`` with a dynamic sort announces each move of rows as a
    layout change (``VerticalSortHint``). Qt's views answer every layout change by
    laying out and repainting the whole viewport, and drop the ``dataChanged`` updates
    that come while that layout is pending. With a large table sorted by a column that
    changes on every poll, that is a repaint of every cell on screen on every poll,
    though the rows moved are nearly always off screen.

    This object watches the view's model: at the first sort layout change since the
    view's last layout it notes which row each place on screen shows (by the rows'
    ``identity_role``, a unique id), then the cells on screen of every ``dataChanged``
    until the layout is done. ``repaint_changes``, called from the view's
    ``doItemsLayout``, then repaints only the places on screen that now show another
    row and the cells noted, and returns True; it returns False (and the view does
    Qt's full layout) when anything else happened: rows inserted, removed or moved, a
    reset, another kind of layout change, scrolling, resizing or a change of the
    columns since the rows were noted.

    Cells are noted by their place when they change, which is enough: a row that
    changes off screen and moves onto it, or changes on screen and moves elsewhere,
    leaves a place showing another row than before, repainted whole.
    """

    def __init__(self, view: QTableView, identity_role: int) -> None:
        super().__init__(view)
        self._view = view
        self._role = identity_role
        self._model: QAbstractItemModel | None = None
        self._disconnect: list[Callable[[], object]] = []
        self._kept: list[object] | None = None
        self._kept_first = 0
        self._kept_geometry: _GeometryKey = ()
        self._dirty: list[tuple[int, int, int]] = []
        self._dirty_columns: set[int] = set()
        self._full = False
        self.fast_layouts = 0
        """Layouts done by repainting only what changed (for tests and benchmarks)."""

    def watch(self, model: QAbstractItemModel | None) -> None:
        """Follow ``model`` (the view's, after ``setModel``)."""
        for disconnect in self._disconnect:
            disconnect()
        self._disconnect.clear()
        self._forget()
        self._model = model
        if model is None:
            return
        # dataChanged is followed only while a sort layout is pending (from the first
        # sort layout change to repaint_changes): most polls signal far more cells than rows move.
        connections: list[tuple[SignalInstance, Callable[..., None]]] = [
            (model.layoutAboutToBeChanged, self._on_model_layout_about_to_be_changed),
        ]
        for signal in (
            model.modelAboutToBeReset,
            model.rowsAboutToBeInserted,
            model.rowsAboutToBeRemoved,
            model.rowsAboutToBeMoved,
            model.columnsAboutToBeInserted,
            model.columnsAboutToBeRemoved,
            model.columnsAboutToBeMoved,
        ):
            connections.append((signal, self._on_model_structure_changing))
        for signal, slot in connections:
            signal.connect(slot)
            self._disconnect.append(partial(signal.disconnect, slot))

    def repaint_changes(self) -> bool:
        """Repaint what the sort changed on screen, if that is all that happened (True);
        False when the view must lay out and repaint everything itself."""
        kept, first, geometry = self._kept, self._kept_first, self._kept_geometry
        dirty, dirty_columns, full = self._dirty, self._dirty_columns, self._full
        self._forget()
        view, model = self._view, self._model
        if (
            kept is None
            or model is None
            or full
            or not view.isVisible()
            or geometry != self._geometry()
        ):
            return False
        # No updateGeometries() (Qt's layout does one): nothing it sets depends on the
        # order of the rows, all else is as noted (the geometry above), and it would
        # set the scroll bars' steps again, which repaints them (and the frame under
        # them) on every poll.
        viewport = view.viewport()
        width, height = viewport.width(), viewport.height()
        region = QRegion()
        role = self._role
        for position, identity in enumerate(kept, start=first):
            now = model.index(position, 0).data(role)
            if now is None or now != identity:  # another row is shown there now
                top = view.rowViewportPosition(position)
                region += QRect(0, top, width, view.rowHeight(position))
        for column in dirty_columns:
            if not view.isColumnHidden(column):
                left = view.columnViewportPosition(column)
                region += QRect(left, 0, view.columnWidth(column), height)
        for row, left_column, right_column in dirty:
            top, row_height = view.rowViewportPosition(row), view.rowHeight(row)
            for column in range(left_column, right_column + 1):
                if column not in dirty_columns and not view.isColumnHidden(column):
                    left = view.columnViewportPosition(column)
                    region += QRect(left, top, view.columnWidth(column), row_height)
        if not region.isEmpty():
            viewport.update(region)
        self.fast_layouts += 1
        return True

    # -- model signals ------------------------------------------------------------------
    def _on_model_layout_about_to_be_changed(
        self, _parents: object = None, hint: object = None
    ) -> None:
        if hint != _SORT_HINT:
            self._full = True
            return
        if self._kept is not None or self._full or self._model is None:
            return
        view = self._view
        if not view.isVisible():
            self._full = True
            return
        first = view.rowAt(0)
        if first < 0:
            self._full = True
            return
        last = view.rowAt(view.viewport().height() - 1)
        if last < 0:
            last = self._model.rowCount() - 1
        model, role = self._model, self._role
        self._kept = [model.index(row, 0).data(role) for row in range(first, last + 1)]
        self._kept_first = first
        self._kept_geometry = self._geometry()
        model.dataChanged.connect(self._on_model_data_changed)

    def _on_model_data_changed(
        self, top_left: QModelIndex, bottom_right: QModelIndex, _roles: object = None
    ) -> None:
        kept = self._kept
        if kept is None or self._full:
            return  # no sort layout pending: the view updates the cells itself
        first, last = self._kept_first, self._kept_first + len(kept) - 1
        top, bottom = top_left.row(), bottom_right.row()
        if bottom < first or top > last:
            return  # off screen (see the class docstring)
        if top == bottom:
            if len(self._dirty) >= MAX_DIRTY_CELLS:
                self._full = True
                return
            self._dirty.append((top, top_left.column(), bottom_right.column()))
        else:
            self._dirty_columns.update(range(top_left.column(), bottom_right.column() + 1))

    def _on_model_structure_changing(self, *_: object) -> None:
        self._full = True

    # -- helpers ------------------------------------------------------------------------
    def _forget(self) -> None:
        if self._kept is not None and self._model is not None:
            self._model.dataChanged.disconnect(self._on_model_data_changed)
        self._kept = None
        self._dirty = []
        self._dirty_columns = set()
        self._full = False

    def _geometry(self) -> _GeometryKey:
        """What the rows' and columns' places on screen depend on besides the order."""
        view = self._view
        model = self._model
        viewport = view.viewport()
        header = view.horizontalHeader()
        return (
            model.rowCount() if model is not None else -1,
            model.columnCount() if model is not None else -1,
            view.verticalScrollBar().value(),
            view.horizontalScrollBar().value(),
            viewport.width(),
            viewport.height(),
            header.offset(),
            header.length(),
            view.verticalHeader().offset(),
        )
