"""KillOnCloseJob: a Windows Job Object whose processes die with the console.

A process assigned to the job is killed by Windows when the job's last handle closes,
which happens when the console ends however it ends (closed, crashed, killed from Task
Manager). Elsewhere ``KillOnCloseJob.create()`` returns None: POSIX children watch their
parent instead (the simulator's ``--parent-pid``).
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)

JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
PROCESS_SET_QUOTA = 0x0100
PROCESS_TERMINATE = 0x0001


class KillOnCloseJob:
    """One job handle; ``assign(pid)`` puts a process in it, ``close()`` kills what is left.

    Keep the object for as long as its processes may run: closing it (or the console
    ending) kills them.
    """

    def __init__(self, handle: int) -> None:
        self._handle: int | None = handle

    @classmethod
    def create(cls) -> KillOnCloseJob | None:
        """A new job with kill-on-close set, or None off Windows or when Windows refuses
        (logged; the child's own parent watch still applies)."""
        handle = _create_job()
        return cls(handle) if handle is not None else None

    def assign(self, pid: int) -> bool:
        """Put process ``pid`` in the job; False (logged) when Windows refuses."""
        return self._handle is not None and _assign(self._handle, pid)

    def close(self) -> None:
        """Close the handle: Windows kills every process still in the job. Idempotent."""
        handle, self._handle = self._handle, None
        if handle is not None:
            _close(handle)


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    class _BasicLimitInformation(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class _IoCounters(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_uint64)
            for name in (
                "ReadOperationCount",
                "WriteOperationCount",
                "OtherOperationCount",
                "ReadTransferCount",
                "WriteTransferCount",
                "OtherTransferCount",
            )
        ]

    class _ExtendedLimitInformation(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", _BasicLimitInformation),
            ("IoInfo", _IoCounters),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    _kernel32.CreateJobObjectW.argtypes = [wintypes.LPVOID, wintypes.LPCWSTR]
    _kernel32.SetInformationJobObject.restype = wintypes.BOOL
    _kernel32.SetInformationJobObject.argtypes = [
        wintypes.HANDLE,
        ctypes.c_int,
        wintypes.LPVOID,
        wintypes.DWORD,
    ]
    _kernel32.OpenProcess.restype = wintypes.HANDLE
    _kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    _kernel32.AssignProcessToJobObject.restype = wintypes.BOOL
    _kernel32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    _kernel32.CloseHandle.argtypes = [wintypes.HANDLE]

    def _create_job() -> int | None:
        handle = _kernel32.CreateJobObjectW(None, None)
        if not handle:
            log.warning("cannot create a job object: error %d", ctypes.get_last_error())
            return None
        info = _ExtendedLimitInformation()
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        if not _kernel32.SetInformationJobObject(
            handle,
            JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
            ctypes.byref(info),
            ctypes.sizeof(info),
        ):
            log.warning("cannot set up the job object: error %d", ctypes.get_last_error())
            _kernel32.CloseHandle(handle)
            return None
        return int(handle)

    def _assign(job: int, pid: int) -> bool:
        process = _kernel32.OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, False, pid)
        if not process:
            log.warning("cannot open process %d: error %d", pid, ctypes.get_last_error())
            return False
        try:
            if not _kernel32.AssignProcessToJobObject(job, process):
                error = ctypes.get_last_error()
                log.warning("cannot put process %d in the job: error %d", pid, error)
                return False
            return True
        finally:
            _kernel32.CloseHandle(process)

    def _close(handle: int) -> None:
        _kernel32.CloseHandle(handle)

else:

    def _create_job() -> int | None:
        return None

    def _assign(job: int, pid: int) -> bool:
        return False

    def _close(handle: int) -> None:
        pass
