"""Await a window-modal dialog's answer without a nested event loop; dispose of old dialogs."""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtWidgets import QDialog


async def dialog_result(dialog: QDialog) -> int:
    """Show ``dialog`` with ``open()`` and return its result code when it finishes.

    ``QDialog.exec()`` would start a nested event loop, which qasync refuses inside a
    running task; this waits on the ``finished`` signal instead. If the awaiting task is
    cancelled, the dialog is rejected (closed) before the cancellation propagates.
    """
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_finished(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(on_finished)
    dialog.open()
    try:
        return await future
    except asyncio.CancelledError:
        if dialog.isVisible():
            dialog.reject()
        raise


def dispose_dialog(dialog: QDialog | None) -> None:
    """Delete a dialog that is no longer needed, right away.

    Call it outside the dialog's own signal handlers (for example when the next dialog
    of the same kind opens, or after awaiting ``dialog_result``); a visible dialog is
    rejected first.
    """
    if dialog is None or not shiboken6.isValid(dialog):
        return
    if dialog.isVisible():
        dialog.reject()
    shiboken6.delete(dialog)
