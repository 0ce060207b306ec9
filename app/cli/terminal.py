"""Whether the command line has a terminal to ask on.

``isatty()`` is not enough on Windows: it is also true for the ``NUL`` device (a
character device, as a console is), so a command started with its input from ``NUL``
(``< NUL``, a scheduled task, a script's ``subprocess.DEVNULL``) would prompt, and
``getpass`` would wait on a console nobody reads. There a stream counts as a terminal only
when its handle is a console's (``GetConsoleMode`` accepts it).
"""

from __future__ import annotations

import sys
from typing import TextIO


def is_terminal(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default: standard input) is an interactive terminal."""
    stream = sys.stdin if stream is None else stream
    try:
        if stream is None or not stream.isatty():
            return False
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # closed, replaced or without a descriptor
        return False
    return _is_console(descriptor)


if sys.platform == "win32":
    import ctypes
    import msvcrt
    from ctypes import wintypes

    def _is_console(descriptor: int) -> bool:
        try:
            handle = msvcrt.get_osfhandle(descriptor)
        except OSError:
            return False
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.GetConsoleMode.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
        kernel32.GetConsoleMode.restype = wintypes.BOOL
        mode = wintypes.DWORD()
        return bool(kernel32.GetConsoleMode(handle, ctypes.byref(mode)))

else:

    def _is_console(descriptor: int) -> bool:
        return True  # isatty() said so
