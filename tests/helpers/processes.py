"""Whether a process (by id) has ended, on every platform, and waiting for it.

A process that has ended but not yet been reaped by its parent (a zombie on POSIX)
counts as ended: it runs nothing and holds no port.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def process_running(pid: int) -> bool:
    """True while process ``pid`` exists and has not ended."""
    if sys.platform == "win32":
        return _windows_running(pid)
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until_ended(pid: int, within_s: float) -> bool:
    """Poll until ``pid`` has ended; True if it did within ``within_s`` seconds."""
    deadline = time.monotonic() + within_s
    while process_running(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.OpenProcess.restype = wintypes.HANDLE
    _kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    _kernel32.WaitForSingleObject.restype = wintypes.DWORD
    _kernel32.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]
    _kernel32.CloseHandle.argtypes = [wintypes.HANDLE]

    def _windows_running(pid: int) -> bool:
        synchronize = 0x00100000
        handle = _kernel32.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        try:
            return bool(_kernel32.WaitForSingleObject(handle, 0) != 0)
        finally:
            _kernel32.CloseHandle(handle)
