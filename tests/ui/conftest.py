"""UI tests run their coroutines on a qasync loop over the QApplication (pytest-asyncio hook).

Every ``async def`` test under tests/ui runs on Qt's event loop, so it can use ``qtbot``
and await real network calls at the same time. The loop is never stopped in teardown
(stopping it quits the QApplication for the rest of the session).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import pytest
import qasync
from PySide6.QtCore import SignalInstance

from tests.helpers.waiting import wait_until

__all__ = ["next_emission", "wait_until"]
from PySide6.QtWidgets import QApplication

# Every loop made for a test stays referenced until the process ends. A closed qasync loop
# still owns Qt timer objects; if the garbage collector freed one from a worker thread
# (asyncio.to_thread runs Python there), a later timer event would touch freed memory.
_LOOPS: list[asyncio.AbstractEventLoop] = []


def _qasync_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    _LOOPS.append(loop)
    return loop


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    return {"qasync": _qasync_loop}


async def next_emission(signal: SignalInstance, within: float = 20.0) -> tuple[object, ...]:
    """Await the next emission of ``signal`` and return its arguments.

    Use this instead of ``qtbot.waitSignal`` inside async tests: a nested Qt event loop
    inside the running qasync loop does not run asyncio callbacks.
    """
    future: asyncio.Future[tuple[object, ...]] = asyncio.get_running_loop().create_future()

    def on_emit(*args: object) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(on_emit)
    try:
        return await asyncio.wait_for(future, within)
    finally:
        signal.disconnect(on_emit)
