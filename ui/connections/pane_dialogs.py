"""The small dialogs of the connections pane: remove confirmation, import and export files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox, QWidget

if TYPE_CHECKING:
    from app.connections import ConnectionProfile


EXPORT_FILTERS = ["Connection exports (*.json)", "All files (*)"]


def removal_confirmation(
    profile: ConnectionProfile, *, transient: bool, parent: QWidget
) -> tuple[QMessageBox, QAbstractButton]:
    """The "Remove connection" question naming the connection, and its Remove button.

    Cancel is the default button. Show it with ``open()``.
    """
    box = QMessageBox(QMessageBox.Icon.Warning, "Remove connection", "", parent=parent)
    box.setObjectName("confirmRemoveDialog")
    if transient:
        box.setText(f'Remove the connection "{profile.name}" from the list?')
        box.setInformativeText("It is not saved, so it is gone until it is added again.")
    else:
        box.setText(f'Remove the connection "{profile.name}"?')
        box.setInformativeText(
            "Its saved password is removed from the system keyring too. This cannot be undone."
        )
    remove_button = box.addButton("&Remove", QMessageBox.ButtonRole.DestructiveRole)
    remove_button.setObjectName("confirmRemoveButton")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box, remove_button


def import_file_dialog(parent: QWidget) -> QFileDialog:
    """Choose an existing export file. Show it with ``open()``; read ``fileSelected``."""
    dialog = _file_dialog(parent, "Import connections", "importFileDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return dialog


def export_file_dialog(parent: QWidget, count: int) -> QFileDialog:
    """Choose where to export ``count`` connections (``.json`` added when missing)."""
    title = f"Export {count} connection{'' if count == 1 else 's'}"
    dialog = _file_dialog(parent, title, "exportFileDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("json")
    dialog.selectFile("connections.json")
    return dialog


def _file_dialog(parent: QWidget, title: str, name: str) -> QFileDialog:
    dialog = QFileDialog(parent, title)
    dialog.setObjectName(name)
    dialog.setNameFilters(EXPORT_FILTERS)
    return dialog
