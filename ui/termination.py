"""TerminationRequests: the operating system asking the console to end, as one Qt signal.

Sources:

- POSIX: SIGINT (Ctrl+C in a terminal), SIGTERM (``kill``, a service manager) and SIGHUP
  (the terminal closed), through the event loop's signal handling.
- Windows console: Ctrl+C, Ctrl+Break, closing the console window, log-off and shut-down
  (``SetConsoleCtrlHandler``). Windows ends the process as soon as the handler returns from
  the last three, so the handler waits (at most ``FINAL_EVENT_WAIT_S``) until the
  composition root calls ``finished()``.
- A desktop session ending (``QGuiApplication.commitDataRequest``: ``WM_QUERYENDSESSION`` on
  Windows, the session manager on Linux). Windows ends the process right after
  ``WM_ENDSESSION``, which Qt turns into ``aboutToQuit``; what must not be left behind is
  done synchronously there (``MainWindow.shut_down_now``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)

FINAL_EVENT_WAIT_S = 4.5
"""How long a Windows close, log-off or shut-down event waits for the shutdown (Windows
allows 5 s before it ends the process anyway)."""
POSIX_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")

# Windows console control events (wincon.h) and their names for the log.
_CONSOLE_EVENTS = {0: "Ctrl+C", 1: "Ctrl+Break", 2: "console closed", 5: "log-off", 6: "shut-down"}
_FINAL_CONSOLE_EVENTS = {2, 5, 6}


class TerminationRequests(QObject):
    """Turns requests to end the process into ``requested``; ``install()`` starts listening.

    Signals:
        requested(str): the process was asked to end; the argument names the cause.
    """

    requested = Signal(str)

    def __init__(self, loop: asyncio.AbstractEventLoop, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loop = loop
        self._finished = threading.Event()
        self._undo: list[Callable[[], object]] = []

    def install(self, application: QGuiApplication | None = None) -> None:
        """Listen for this platform's signals or console events, and for ``application``'s
        session ending."""
        if os.name == "nt":
            self._install_console_handler()
        else:
            self._install_posix_signals()
        if application is not None and hasattr(application, "commitDataRequest"):
            application.commitDataRequest.connect(self._on_application_commit_data_requested)
            self._undo.append(
                lambda: application.commitDataRequest.disconnect(
                    self._on_application_commit_data_requested
                )
            )

    def uninstall(self) -> None:
        """Stop listening; the platform's default handling applies again. Idempotent."""
        while self._undo:
            with contextlib.suppress(RuntimeError, ValueError, OSError):
                self._undo.pop()()

    def finished(self) -> None:
        """The shutdown is over: a waiting Windows close or log-off event may return."""
        self._finished.set()

    def _emit(self, cause: str) -> None:
        log.info("asked to end: %s", cause)
        self.requested.emit(cause)

    def _on_application_commit_data_requested(self, *_: object) -> None:
        self._emit("the desktop session is ending")

    # -- POSIX ---------------------------------------------------------------------------
    def _install_posix_signals(self) -> None:
        for name in POSIX_SIGNALS:
            number = getattr(signal, name, None)
            if number is None:
                continue
            try:
                self._loop.add_signal_handler(number, self._emit, name)
            except (NotImplementedError, RuntimeError, ValueError) as error:
                log.warning("cannot handle %s: %s", name, error)
                continue
            self._undo.append(functools.partial(self._loop.remove_signal_handler, number))

    # -- Windows -------------------------------------------------------------------------
    def handle_console_event(self, event: int) -> bool:
        """A Windows console event (``CTRL_*_EVENT``): ask to end; for closing, log-off
        and shut-down, wait until ``finished()`` (at most ``FINAL_EVENT_WAIT_S``), since
        Windows ends the process once this returns. Always True (handled).

        Windows calls it on a thread of its own; safe from any thread.
        """
        cause = _CONSOLE_EVENTS.get(event, f"console event {event}")
        with contextlib.suppress(RuntimeError):  # the loop has already closed
            self._loop.call_soon_threadsafe(self._emit, cause)
        if event in _FINAL_CONSOLE_EVENTS:
            self._finished.wait(FINAL_EVENT_WAIT_S)
        return True

    def _install_console_handler(self) -> None:
        remove = _set_console_handler(self.handle_console_event)
        if remove is not None:
            self._undo.append(remove)


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _HandlerRoutine = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.SetConsoleCtrlHandler.restype = wintypes.BOOL
    _kernel32.SetConsoleCtrlHandler.argtypes = [_HandlerRoutine, wintypes.BOOL]

    def _set_console_handler(callback: Callable[[int], bool]) -> Callable[[], None] | None:
        """Register ``callback`` for console events; returns its removal, or None."""
        handler = _HandlerRoutine(callback)
        if not _kernel32.SetConsoleCtrlHandler(handler, True):
            log.warning("cannot handle console events: error %d", ctypes.get_last_error())
            return None

        def remove() -> None:
            _kernel32.SetConsoleCtrlHandler(handler, False)  # ``handler`` lives until then

        return remove

else:

    def _set_console_handler(callback: Callable[[int], bool]) -> Callable[[], None] | None:
        return None
