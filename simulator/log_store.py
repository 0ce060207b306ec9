"""Per-server log archives, built lazily in a worker thread and then reused."""

from __future__ import annotations

import asyncio
from pathlib import Path

from simulator.cluster import SimServer
from simulator.logs import LogArchive, build_log_archive


class LogStore:
    """Hands out each server's ``LogArchive``, building it on first request.

    Concurrent first requests for one server share a single build.
    """

    def __init__(self, cache_dir: Path, *, size: int, seed: int) -> None:
        self._cache_dir = cache_dir
        self._size = size
        self._seed = seed
        self._archives: dict[str, LogArchive] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def renewed(self, *, size: int, seed: int) -> LogStore:
        """A store over the same cache directory that hands out no archive built so far:
        its first request for a server builds (or finds on disk) the archive of ``size`` and
        ``seed`` for the server's name and version at that time."""
        return LogStore(self._cache_dir, size=size, seed=seed)

    async def archive(self, server: SimServer) -> LogArchive:
        """The archive for ``server``; building it may take a moment the first time."""
        cached = self._archives.get(server.id)
        if cached is not None and cached.path.exists():
            return cached
        lock = self._locks.setdefault(server.id, asyncio.Lock())
        async with lock:
            cached = self._archives.get(server.id)
            if cached is not None and cached.path.exists():
                return cached
            loop = asyncio.get_running_loop()
            archive = await loop.run_in_executor(
                None,
                lambda: build_log_archive(
                    server.id,
                    server.name,
                    server.version,
                    size=self._size,
                    seed=self._seed,
                    cache_dir=self._cache_dir,
                ),
            )
            self._archives[server.id] = archive
            return archive
