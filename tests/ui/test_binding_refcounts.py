"""The Qt binding must not lose references to None, True or False.

PySide6 6.12.0 on Python 3.11 drops one reference to None on every call of a C++
method returning void (and to True/False on bool signals); a long-running window then
aborts with "deallocating None". This guards the pinned binding against that defect.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal

CALLS = 5_000


class _Emitter(QObject):
    toggled = Signal(bool)


def test_void_calls_keep_the_reference_to_none() -> None:
    obj, timer = QObject(), QTimer()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        obj.setObjectName("probe")
        timer.setInterval(10)
    assert sys.getrefcount(None) >= before - 100


def test_bool_signals_keep_the_references_to_true_and_false() -> None:
    emitter = _Emitter()
    seen: list[bool] = []
    emitter.toggled.connect(seen.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(CALLS):
        emitter.toggled.emit(True)
        emitter.toggled.emit(False)
    seen.clear()
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert after[0] >= before[0] - 100
    assert after[1] >= before[1] - 100
