"""``--parent-pid``: the simulator stops when the program that started it has ended.

A console that is killed outright (SIGKILL, Task Manager) cannot stop its simulator; the
simulator notices by itself. On Linux the kernel sends SIGTERM when the parent dies (a
parent-death signal, ``prctl(PR_SET_PDEATHSIG)``), which stops it like any SIGTERM;
everywhere the simulator also checks twice a second whether the parent is still there
(on POSIX: whether it has been re-parented; on Windows: whether the process has exited).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from collections.abc import Callable

CHECK_INTERVAL_S = 0.5
PR_SET_PDEATHSIG = 1


def arm_parent_death_signal() -> bool:
    """On Linux, ask for SIGTERM when the parent process ends; True when armed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def parent_alive_check(pid: int) -> Callable[[], bool]:
    """A cheap function answering whether process ``pid`` (this process's parent at the
    time of the call, or any process) is still running."""
    if os.name == "nt":
        return _windows_process_check(pid)
    if os.getppid() == pid:
        # Once the parent dies this process is re-parented at once, even while the dead
        # parent waits to be reaped (and still answers kill(pid, 0)).
        return lambda: os.getppid() == pid
    return lambda: _posix_process_exists(pid)


async def watch_parent(pid: int, on_gone: Callable[[], None]) -> None:
    """Call ``on_gone`` once process ``pid`` has ended; runs until cancelled."""
    alive = parent_alive_check(pid)
    while alive():  # noqa: ASYNC110 - nothing to wait on: the parent is another process
        await asyncio.sleep(CHECK_INTERVAL_S)
    on_gone()


def _posix_process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if sys.platform == "win32":
    from ctypes import wintypes

    _SYNCHRONIZE = 0x00100000
    _WAIT_OBJECT_0 = 0
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.OpenProcess.restype = wintypes.HANDLE
    _kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    _kernel32.WaitForSingleObject.restype = wintypes.DWORD
    _kernel32.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]

    def _windows_process_check(pid: int) -> Callable[[], bool]:
        handle = _kernel32.OpenProcess(_SYNCHRONIZE, False, pid)
        if not handle:
            return lambda: False  # already gone (or never there)
        # The handle stays open for the life of this process: it keeps ``pid`` from being
        # reused by another process while it is watched.
        return lambda: bool(_kernel32.WaitForSingleObject(handle, 0) != _WAIT_OBJECT_0)

else:

    def _windows_process_check(pid: int) -> Callable[[], bool]:
        raise RuntimeError("only on Windows")
