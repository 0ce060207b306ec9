"""Waiting for a condition in tests: poll with a deadline instead of fixed sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(predicate: Callable[[], bool], within: float = 20.0, what: str = "") -> None:
    """Return once ``predicate()`` holds; fail after ``within`` seconds.

    The running loop keeps serving its other tasks (and Qt's events under qasync).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.02)
