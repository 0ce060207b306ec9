"""The QActions of the connections pane, with stable object names, shortcuts and tooltips."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ui.icons import icon


@dataclass(frozen=True)
class _Spec:
    name: str
    text: str
    icon: str | None
    shortcuts: tuple[QKeySequence | QKeySequence.StandardKey | str, ...]
    tip: str
    disabled_tip: str
    pane_only: bool  # True: the shortcut works only while the pane has focus


_SPECS = {
    "add": _Spec(
        "actionAddConnection",
        "&Add connection…",
        "add",
        (QKeySequence.StandardKey.New,),
        "Add a connection to a cluster",
        "",
        False,
    ),
    "edit": _Spec(
        "actionEditConnection",
        "&Edit connection…",
        "edit",
        ("F2", "Ctrl+E"),
        "Change the settings of the selected connection",
        "Select a connection to edit it.",
        True,
    ),
    "duplicate": _Spec(
        "actionDuplicateConnection",
        "D&uplicate connection",
        "duplicate",
        ("Ctrl+D",),
        "Save a copy of the selected connection (without its password)",
        "Select a connection to duplicate it.",
        True,
    ),
    "remove": _Spec(
        "actionRemoveConnection",
        "&Remove connection…",
        "remove",
        (QKeySequence.StandardKey.Delete,),
        "Remove the selected connection and its saved password",
        "Select a connection to remove it.",
        True,
    ),
    "import": _Spec(
        "actionImportConnections",
        "&Import connections…",
        "import",
        (),
        "Add the connections of an export file",
        "",
        False,
    ),
    "export": _Spec(
        "actionExportConnections",
        "E&xport connections…",
        "export",
        (),
        "Export the selected connections, or all of them, to a file (without passwords)",
        "There are no connections to export.",
        False,
    ),
    "connect": _Spec(
        "actionConnect",
        "&Connect",
        "connection",
        (),
        "Open the selected connection",
        "Select a connection to connect to it.",
        True,
    ),
}


class ConnectionActions:
    """The pane's actions: ``add``, ``edit``, ``duplicate``, ``remove``, ``import_``,
    ``export``, ``connect``. ``set_available`` enables one and sets the tooltip that
    explains why it is disabled."""

    def __init__(self, parent: QObject) -> None:
        self._specs: dict[QAction, _Spec] = {}
        self.add = self._make(parent, _SPECS["add"])
        self.edit = self._make(parent, _SPECS["edit"])
        self.duplicate = self._make(parent, _SPECS["duplicate"])
        self.remove = self._make(parent, _SPECS["remove"])
        self.import_ = self._make(parent, _SPECS["import"])
        self.export = self._make(parent, _SPECS["export"])
        self.connect = self._make(parent, _SPECS["connect"])

    def all(self) -> list[QAction]:
        """In menu order: Connect, then the editing actions, then import and export."""
        return [
            self.connect,
            self.add,
            self.edit,
            self.duplicate,
            self.remove,
            self.import_,
            self.export,
        ]

    def set_available(self, action: QAction, available: bool) -> None:
        spec = self._specs[action]
        action.setEnabled(available)
        tip = spec.tip if available or not spec.disabled_tip else spec.disabled_tip
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shortcut})" if shortcut and available else tip)

    def _make(self, parent: QObject, spec: _Spec) -> QAction:
        action = QAction(spec.text, parent)
        action.setObjectName(spec.name)
        if spec.icon is not None:
            action.setIcon(icon(spec.icon))
        action.setShortcuts([QKeySequence(key) for key in spec.shortcuts])
        if spec.pane_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._specs[action] = spec
        self.set_available(action, True)
        return action
