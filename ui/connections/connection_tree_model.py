"""ConnectionTreeModel: saved connections in their folders, with each one's live state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.connections import EnvironmentTag
from app.monitor import ConnectionState, MonitorStatus
from ui.connections.connection_tree_layout import (
    RowSpec,
    TreeNode,
    connection_key,
    folder_key,
    tree_layout,
)
from ui.connections.state_icons import state_icon
from ui.icons import icon

if TYPE_CHECKING:
    from app.connections import ConnectionProfile

AnyIndex = QModelIndex | QPersistentModelIndex


class ConnectionColumn(IntEnum):
    NAME = 0


class ConnectionRole(IntEnum):
    """Data roles beyond Qt's; connection-only roles are None on folders.

    Qt hands str enums back as plain strings: ``ConnectionState(index.data(STATE))``
    restores the member (the string already compares equal to it).
    """

    PROFILE = Qt.ItemDataRole.UserRole + 1  # ConnectionProfile
    CONNECTION_ID = Qt.ItemDataRole.UserRole + 2  # str
    STATE = Qt.ItemDataRole.UserRole + 3  # ConnectionState
    TAG = Qt.ItemDataRole.UserRole + 4  # EnvironmentTag
    FOLDER_PATH = Qt.ItemDataRole.UserRole + 5  # "A/B" for folders and connections
    IS_FOLDER = Qt.ItemDataRole.UserRole + 6  # bool
    TRANSIENT = Qt.ItemDataRole.UserRole + 7  # bool: kept in memory, not saved
    STATUS = Qt.ItemDataRole.UserRole + 8  # MonitorStatus | None


_STATUS_ROLES: list[int] = [
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    ConnectionRole.STATE,
    ConnectionRole.STATUS,
]


class ConnectionTreeModel(QAbstractItemModel):
    """Folders from each profile's ``group`` ("Customers/Acme" is two levels), connections
    under them, sorted by name (folders first).

    ``set_profiles`` updates rows in place (insert, remove, move, ``dataChanged``), so
    selection and expansion survive; only the very first fill resets the model.
    ``set_status`` changes one connection's row. Transient connections are marked "(not
    saved)" in the tooltip and accessible text, read-only ones "read-only".
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._root = TreeNode(key="", name="", path="", parent=None)
        self._by_key: dict[str, TreeNode] = {}
        self._status: dict[str, MonitorStatus] = {}
        self._transient: set[str] = set()
        self._filled = False
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- updates ---------------------------------------------------------------------------
    def set_profiles(
        self, profiles: Sequence[ConnectionProfile], transient: Iterable[str] = ()
    ) -> None:
        """Show exactly ``profiles``; ``transient`` names the ids kept in memory only."""
        previous_transient = self._transient
        self._transient = set(transient)
        layout = tree_layout(profiles)
        if not self._filled:
            self.beginResetModel()
            self._build(self._root, layout)
            self._filled = True
            self.endResetModel()
        else:
            self._sync(self._root, layout)
            for connection_id in previous_transient ^ self._transient:
                self._emit_changed(self.index_of(connection_id), [])
        known = {p.id for p in profiles}
        self._status = {k: v for k, v in self._status.items() if k in known}

    def set_status(self, connection_id: str, status: MonitorStatus) -> None:
        """Show a connection's monitor status (kept until the connection is removed).

        The row is signalled only when the state changed: it shows the state, and its
        tooltip (the status' times) is made when asked for. Every poll sets a status."""
        previous = self._status.get(connection_id)
        self._status[connection_id] = status
        if previous is None or previous.state is not status.state:
            self._emit_changed(self.index_of(connection_id), _STATUS_ROLES)

    def clear_status(self, connection_id: str) -> None:
        """Back to "Not connected" (for example when the session is closed)."""
        if self._status.pop(connection_id, None) is not None:
            self._emit_changed(self.index_of(connection_id), _STATUS_ROLES)

    # -- lookups ---------------------------------------------------------------------------
    def index_of(self, connection_id: str) -> QModelIndex:
        """The index of a connection, or an invalid index when it is not shown."""
        node = self._by_key.get(connection_key(connection_id))
        return self._index_for(node) if node is not None else QModelIndex()

    def folder_index(self, path: str) -> QModelIndex:
        node = self._by_key.get(folder_key(path))
        return self._index_for(node) if node is not None else QModelIndex()

    def profile_at(self, index: AnyIndex) -> ConnectionProfile | None:
        node = self._node(index)
        return node.profile if node is not None else None

    def profiles_under(self, index: AnyIndex) -> list[ConnectionProfile]:
        """The connection at ``index``, or every connection inside the folder at ``index``."""
        node = self._node(index)
        if node is None:
            return []
        found: list[ConnectionProfile] = []
        pending = [node]
        while pending:
            current = pending.pop(0)
            if current.profile is not None:
                found.append(current.profile)
            pending.extend(current.children)
        return found

    # -- QAbstractItemModel ------------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != ConnectionColumn.NAME or row < 0:
            return QModelIndex()
        node = self._node(parent) if parent.isValid() else self._root
        if node is None or row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, child: AnyIndex | None = None) -> Any:
        if child is None:  # QObject.parent()
            return super().parent()
        node = self._node(child)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self._index_for(node.parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.column() > 0:
            return 0
        node = self._node(parent) if parent.isValid() else self._root
        return len(node.children) if node is not None else 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(ConnectionColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and section == ConnectionColumn.NAME
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return "Connection"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        if node.profile is None:
            return self._folder_data(node, role)
        return self._connection_data(node.profile, role)

    # -- data helpers ------------------------------------------------------------------------
    def _folder_data(self, node: TreeNode, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return node.name
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("folder")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Folder {node.path}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Folder {node.name}"
        if role == ConnectionRole.FOLDER_PATH:
            return node.path
        if role == ConnectionRole.IS_FOLDER:
            return True
        return None

    def _connection_data(self, profile: ConnectionProfile, role: int) -> Any:
        status = self._status.get(profile.id)
        state = status.state if status is not None else ConnectionState.IDLE
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return profile.name
        if role == Qt.ItemDataRole.DecorationRole:
            return state_icon(state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(profile, status, state)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return ", ".join([profile.name, *self._markers(profile), state.label])
        if role == Qt.ItemDataRole.FontRole and profile.id in self._transient:
            font = QFont()
            font.setItalic(True)
            return font
        role_values: dict[int, Any] = {
            ConnectionRole.PROFILE: profile,
            ConnectionRole.CONNECTION_ID: profile.id,
            ConnectionRole.STATE: state,
            ConnectionRole.TAG: profile.tag,
            ConnectionRole.FOLDER_PATH: profile.group,
            ConnectionRole.IS_FOLDER: False,
            ConnectionRole.TRANSIENT: profile.id in self._transient,
            ConnectionRole.STATUS: status,
        }
        return role_values.get(role)

    def _markers(self, profile: ConnectionProfile) -> list[str]:
        markers: list[str] = []
        if profile.tag is not EnvironmentTag.NONE:
            markers.append(profile.tag.label)
        if profile.read_only:
            markers.append("read-only")
        if profile.id in self._transient:
            markers.append("not saved")
        return markers

    def _tooltip(
        self, profile: ConnectionProfile, status: MonitorStatus | None, state: ConnectionState
    ) -> str:
        title = profile.name
        if profile.id in self._transient:
            title += " (not saved)"
        lines = [title]
        if profile.tag is not EnvironmentTag.NONE:
            lines.append(f"Environment: {profile.tag.label}")
        if profile.read_only:
            lines.append("read-only: isolation is not allowed from this console")
        lines.append(f"User: {profile.username}")
        lines.extend(f"URL: {url}" for url in profile.urls)
        state_line = f"State: {state.label}"
        if status is not None:
            detail = status.describe(self._clock())
            if detail != state.label:
                state_line += f" ({detail})"
        lines.append(state_line)
        return "\n".join(lines)

    # -- tree maintenance ------------------------------------------------------------------
    def _node(self, index: AnyIndex) -> TreeNode | None:
        if not index.isValid() or index.model() is not self:
            return None
        node = index.internalPointer()
        return node if isinstance(node, TreeNode) else None

    def _index_for(self, node: TreeNode) -> QModelIndex:
        if node is self._root:
            return QModelIndex()
        return self.createIndex(node.row(), ConnectionColumn.NAME, node)

    def _emit_changed(self, index: QModelIndex, roles: list[int]) -> None:
        if index.isValid():
            self.dataChanged.emit(index, index, roles)

    def _new_node(self, spec: RowSpec, parent: TreeNode) -> TreeNode:
        node = TreeNode(spec.key, spec.name, spec.path, parent, spec.profile)
        self._by_key[spec.key] = node
        return node

    def _build(self, node: TreeNode, layout: dict[str, list[RowSpec]]) -> None:
        for spec in layout.get(node.path, []):
            child = self._new_node(spec, node)
            node.children.append(child)
            if spec.profile is None:
                self._build(child, layout)

    def _forget(self, node: TreeNode) -> None:
        self._by_key.pop(node.key, None)
        for child in node.children:
            self._forget(child)

    def _sync(self, node: TreeNode, layout: dict[str, list[RowSpec]]) -> None:
        """Make ``node``'s children match the layout with row-level signals only."""
        wanted = layout.get(node.path, [])
        parent_index = self._index_for(node)
        wanted_keys = {spec.key for spec in wanted}
        for row in reversed(range(len(node.children))):
            if node.children[row].key not in wanted_keys:
                self.beginRemoveRows(parent_index, row, row)
                self._forget(node.children.pop(row))
                self.endRemoveRows()
        for target, spec in enumerate(wanted):
            keys = [child.key for child in node.children]
            if spec.key not in keys:
                self.beginInsertRows(parent_index, target, target)
                node.children.insert(target, self._new_node(spec, node))
                self.endInsertRows()
            else:
                current = keys.index(spec.key)
                if current != target:
                    self.beginMoveRows(parent_index, current, current, parent_index, target)
                    node.children.insert(target, node.children.pop(current))
                    self.endMoveRows()
            child = node.children[target]
            if spec.profile is None:
                self._sync(child, layout)
            elif child.profile != spec.profile or child.name != spec.name:
                child.profile, child.name = spec.profile, spec.name
                self._emit_changed(self._index_for(child), [])
