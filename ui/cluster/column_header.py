"""ColumnHeader: the table's horizontal header, with a menu to show and hide columns."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QWidget


class ColumnHeader(QHeaderView):
    """A movable, sortable header; right-click lists the columns with check marks.

    The last visible column cannot be hidden (its item is disabled, with a tooltip
    saying why). The menu opens with ``popup()``, never a nested event loop.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("clusterTableHeader")
        self.setAccessibleName("Columns")
        self.setSectionsMovable(True)
        self.setSectionsClickable(True)
        self.setSortIndicatorShown(True)
        self.setHighlightSections(False)
        self.setStretchLastSection(True)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_header_menu_requested)
        self._menu: QMenu | None = None

    def columns_menu(self) -> QMenu:
        """A new menu with one checkable action per column, in the header's visual order."""
        menu = QMenu(self)
        menu.setObjectName("columnsMenu")
        menu.setAccessibleName("Show columns")
        model = self.model()
        count = self.count()
        visible = count - self.hiddenSectionCount()
        for visual in range(count):
            logical = self.logicalIndex(visual)
            title = str(model.headerData(logical, Qt.Orientation.Horizontal)) if model else ""
            action = QAction(title, menu)
            action.setObjectName(f"showColumn{logical}")
            action.setCheckable(True)
            shown = not self.isSectionHidden(logical)
            action.setChecked(shown)
            if shown and visible == 1:
                action.setEnabled(False)
                action.setToolTip("At least one column must stay visible")
            action.toggled.connect(
                lambda checked, section=logical: self.setSectionHidden(section, not checked)
            )
            menu.addAction(action)
        menu.setToolTipsVisible(True)
        return menu

    def _on_header_menu_requested(self, position: QPoint) -> None:
        if self._menu is not None:
            self._menu.deleteLater()
        self._menu = self.columns_menu()
        self._menu.popup(self.viewport().mapToGlobal(position))
