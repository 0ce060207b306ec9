"""TaskRunner: the one way the window starts coroutines.

Qt slots must never wait on the network or the disk, so a slot hands its coroutine to
``TaskRunner.start``; the runner keeps a reference until the task ends, routes its
exception to one place (``failed``), and cancels and awaits everything on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskRunner(QObject):
    """Starts and tracks asyncio tasks on the running (qasync) loop.

    Signals:
        failed(str, object): a task named by the first argument raised; the second is
            the exception. Not emitted for cancellation or when ``on_error`` handled it.
    """

    failed = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def start(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        name: str,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[T] | None:
        """Run ``coro`` as a task; returns it, or None (and closes ``coro``) when shutting down.

        Shutting down includes a slot that runs while no asyncio loop does (a timer firing
        as Qt processes its last events after the loop stopped): the caller keeps its work
        for its own final flush, as it does after ``shutdown``.

        ``on_done`` receives the result; ``on_error`` receives any exception but
        cancellation (without it, ``failed`` is emitted).
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self._closing or loop is None:
            if loop is None and not self._closing:
                log.debug("no running event loop: %s not started", name)
            coro.close()
            return None
        task = loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._on_task_done(t, on_done, on_error))
        return task

    def _on_task_done(
        self,
        task: asyncio.Task[Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        try:
            if error is None:
                if on_done is not None:
                    on_done(task.result())
            elif on_error is not None:
                on_error(error)
            else:
                log.error("task %s failed", task.get_name(), exc_info=error)
                self.failed.emit(task.get_name(), error)
        except Exception:
            log.exception("callback of task %s failed", task.get_name())

    async def shutdown(self) -> None:
        """Refuse new tasks, cancel the running ones and wait until all have ended."""
        self._closing = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
