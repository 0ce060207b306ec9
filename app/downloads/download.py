"""Downloading one Application Server's log archive to a folder, resumably.

The archive streams into ``<final>.part`` next to a ``<final>.part.json`` sidecar. A
later ``run()`` (after a dropped connection, a cancel or an application restart) finds
that pair and asks only for the missing bytes, with ``If-Range`` so that a changed
archive is never spliced onto the old one. A finished file is checked (size, zip
integrity) and moved to its final name without overwriting anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, suppress
from pathlib import Path
from typing import Protocol

from app.api.errors import RangeNotSatisfiableError
from app.api.logstream import DEFAULT_CHUNK_SIZE, LogStream
from app.api.settings import EndpointSettings
from app.downloads.errors import (
    CorruptArchiveError,
    DownloadCancelledError,
    DownloadError,
    SizeMismatchError,
    disk_error,
)
from app.downloads.filenames import safe_filename
from app.downloads.finishing import move_into_place, zip_is_valid
from app.downloads.partfile import (
    PartState,
    ResumableDownload,
    find_resumable,
    part_path,
    remove_part,
    reserve_part,
    sidecar_path,
    write_state,
)
from app.downloads.progress import DownloadProgress, RateMeter
from app.downloads.write_behind import WriteBehind
from app.downloads.writer import PartFile

log = logging.getLogger(__name__)

ProgressCallback = Callable[[DownloadProgress], None]
_ACTIVE_PARTS: set[Path] = set()  # .part files being written by a run() in this process


class LogSource(Protocol):
    """What a download needs from ``ManagementClient``."""

    @property
    def settings(self) -> EndpointSettings: ...

    def stream_logs(
        self, server_id: str, *, offset: int = 0, if_range: str | None = None
    ) -> AbstractAsyncContextManager[LogStream]: ...


class _Restart(Exception):
    """Internal: the partial file cannot be continued; start again from byte 0."""


class LogDownload:
    """Downloads ``server_id``'s log archive into ``folder``.

    The file gets the server's suggested name made safe (``safe_filename``), else
    ``fallback_name``, with `` (1)``, `` (2)``… if taken. ``on_progress`` is called on
    the event loop at most every ``report_interval`` seconds and once at the end.
    A ``run()`` continues an unfinished download of the same server and cluster found
    in ``folder`` (see ``find_resumable``), so resuming after a restart is simply a new
    ``LogDownload`` with the same server id and folder.
    """

    def __init__(
        self,
        client: LogSource,
        server_id: str,
        folder: Path,
        *,
        fallback_name: str,
        on_progress: ProgressCallback | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        report_interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._server_id = server_id
        self._folder = folder
        self._fallback = fallback_name
        self._on_progress = on_progress
        self._chunk_size = chunk_size
        self._report_interval = report_interval
        self._clock = clock
        self._task: asyncio.Task[object] | None = None
        self._cancel_requested = False
        self._part: Path | None = None
        self._last_report = float("-inf")

    @property
    def part_path(self) -> Path | None:
        """The ``.part`` file of the current or last run, once known."""
        return self._part

    def cancel(self) -> None:
        """Stop a running ``run()`` promptly; it raises ``DownloadCancelledError`` and the
        partial file stays for a later resume. Does nothing when not running."""
        if self._task is not None:
            self._cancel_requested = True
            self._task.cancel()

    async def run(self) -> Path:
        """Download (or finish) the archive; returns the path of the saved zip file.

        Raises ``DownloadError`` subclasses for local problems and unusable results,
        the client's ``ConsoleError`` subclasses for network and server problems (the
        partial file is then kept), ``DownloadCancelledError`` after ``cancel()``.
        Cancelling the task that awaits ``run()`` also keeps the partial file.
        """
        task = asyncio.current_task()
        if task is None or self._task is not None:
            raise RuntimeError("run() must be awaited in a task, one run at a time")
        self._task, self._cancel_requested = task, False
        try:
            return await self._download()
        except asyncio.CancelledError:
            if self._cancel_requested and task.uncancel() == 0:
                raise DownloadCancelledError(
                    f"The download of the logs of {self._server_id} was cancelled; it can "
                    "be resumed.",
                    path=self._part,
                ) from None
            raise
        finally:
            self._task = None
            if self._part is not None:
                _ACTIVE_PARTS.discard(self._part)

    # -- one attempt -------------------------------------------------------------------
    async def _download(self) -> Path:
        for _ in range(3):
            resume = await asyncio.to_thread(self._own_unfinished_download)
            try:
                return await self._attempt(resume)
            except _Restart:
                log.info("The logs of %s changed; downloading them again", self._server_id)
        raise DownloadError(
            f"The log archive of {self._server_id} kept changing during the download; "
            "try again later."
        )

    async def _attempt(self, resume: ResumableDownload | None) -> Path:
        if resume is not None and (resume.state.etag is None or resume.bytes_done == 0):
            await self._discard(resume.part_path)  # cannot resume safely without a validator
            resume = None
        offset = resume.bytes_done if resume is not None else 0
        if_range = resume.state.etag if resume is not None else None
        try:
            async with self._client.stream_logs(
                self._server_id, offset=offset, if_range=if_range
            ) as stream:
                part, state = await self._target(stream, resume)
                await self._receive(stream, part, state)
        except RangeNotSatisfiableError as exc:
            if resume is not None and exc.total_size == resume.bytes_done:
                # Already complete (a cancel can land after the last block was written).
                self._claim(resume.part_path)
                final = await self._finish(resume.part_path, resume.state)
                done = resume.bytes_done
                meter = RateMeter()
                meter.update(done, self._clock())
                self._report(done, done, done, meter, final=True)
                return final
            if resume is not None:
                await self._discard(resume.part_path)
            raise _Restart from None
        return await self._finish(part, state)

    async def _target(
        self, stream: LogStream, resume: ResumableDownload | None
    ) -> tuple[Path, PartState]:
        """The .part file and its state for this reply: the resumed one, or a new one."""
        if stream.status == 206 and resume is not None:
            known, announced = resume.state.total_size, stream.total_size
            if known is not None and announced is not None and known != announced:
                await self._discard(resume.part_path)
                raise _Restart
            self._claim(resume.part_path)
            return resume.part_path, resume.state
        if resume is not None:
            await self._discard(resume.part_path)  # a 200: the archive changed, start over
        name = safe_filename(stream.filename, self._fallback)
        try:
            final = await asyncio.to_thread(reserve_part, self._folder, name)
        except OSError as exc:
            raise disk_error(exc, self._folder / name) from None
        part = part_path(final)
        state = PartState(
            server_id=self._server_id,
            url=stream.url,
            etag=stream.etag,
            total_size=stream.total_size,
            final_name=final.name,
        )
        self._claim(part)
        try:
            await asyncio.to_thread(write_state, part, state)
        except OSError as exc:
            raise disk_error(exc, sidecar_path(part)) from None
        return part, state

    async def _receive(self, stream: LogStream, part: Path, state: PartState) -> None:
        """Hand the body from the thread that receives it to a thread that writes it into
        ``part`` (``WriteBehind``); the event loop only hears of progress
        (``LogStream.save_into``)."""
        start, total = stream.offset, state.total_size
        meter = RateMeter()
        meter.update(start, self._clock())
        try:
            part_file = WriteBehind(await asyncio.to_thread(PartFile.open, part, start))
        except OSError as exc:
            raise disk_error(exc, part) from None

        def write(piece: bytes) -> bool:  # on the receiving thread: queued for the writer
            written = part_file.write(piece)
            return written and (total is None or part_file.position <= total)

        def progressed(received: int) -> None:
            self._report(start + received, total, start, meter, final=False)

        try:
            received = await stream.save_into(
                write,
                on_progress=progressed,
                progress_interval=self._report_interval / 2,  # the loop side throttles too
                chunk_size=self._chunk_size,
            )
        except BaseException as exc:
            # The first failure (or the cancellation) is the one reported: closing the
            # file (after the queued pieces are written) must not replace it.
            with suppress(OSError):
                await asyncio.to_thread(part_file.close)
            # Reports are throttled: the last one may be far behind what is saved (a cut
            # at 1.5 MB read "256 KB of 4.0 MB"). Say what the partial file now holds.
            await self._report_saved(part, total, start)
            if isinstance(exc, OSError):
                raise disk_error(exc, part) from None
            raise
        try:
            await asyncio.to_thread(part_file.close)
        except OSError as exc:
            raise disk_error(exc, part) from None
        # past the announced size the file is cut short of the body: _finish reports it
        self._report(start + received, total, start, meter, final=True)

    async def _finish(self, part: Path, state: PartState) -> Path:
        try:
            size = (await asyncio.to_thread(part.stat)).st_size
        except OSError as exc:
            raise disk_error(exc, part) from None
        if state.total_size is not None and size != state.total_size:
            if size > state.total_size:
                await self._discard(part)
            raise SizeMismatchError(
                f"The downloaded logs are {size} bytes instead of {state.total_size}; "
                "download them again.",
                path=part,
            )
        if not await asyncio.to_thread(zip_is_valid, part):
            await self._discard(part)
            raise CorruptArchiveError(
                f"The downloaded logs of {self._server_id} are not a valid zip archive.",
                path=part,
            )
        try:
            final = await asyncio.to_thread(move_into_place, part, self._folder, state.final_name)
            await asyncio.to_thread(sidecar_path(part).unlink, missing_ok=True)
        except OSError as exc:
            raise disk_error(exc, part) from None
        log.info("Saved the logs of %s as %s", self._server_id, final)
        return final

    # -- helpers -----------------------------------------------------------------------
    def _own_unfinished_download(self) -> ResumableDownload | None:
        bases = tuple(base + "/" for base in self._client.settings.urls)
        for candidate in find_resumable(self._folder):
            if (
                candidate.state.server_id == self._server_id
                and candidate.state.url.startswith(bases)
                and candidate.part_path not in _ACTIVE_PARTS
            ):
                return candidate
        return None

    def _claim(self, part: Path) -> None:
        self._part = part
        _ACTIVE_PARTS.add(part)

    async def _discard(self, part: Path) -> None:
        try:
            await asyncio.to_thread(remove_part, part)
        except OSError as exc:
            raise disk_error(exc, part) from None

    async def _report_saved(self, part: Path, total: int | None, start: int) -> None:
        """The last report of a run that ended early: the bytes the partial file holds,
        nothing arriving (rate 0, no time left)."""
        if self._on_progress is None:
            return
        try:
            saved = (await asyncio.shield(asyncio.to_thread(part.stat))).st_size
        except (OSError, asyncio.CancelledError):
            return  # no file to count, or cancelled again: the earlier report stands
        self._on_progress(
            DownloadProgress(
                server_id=self._server_id,
                bytes_done=saved,
                total_bytes=total,
                rate=0.0,
                eta_seconds=None,
                resumed_from=start,
            )
        )

    def _report(
        self, done: int, total: int | None, start: int, meter: RateMeter, *, final: bool
    ) -> None:
        if self._on_progress is None:
            return
        now = self._clock()
        rate = meter.update(done, now)
        if not final and now - self._last_report < self._report_interval:
            return
        self._last_report = now
        remaining = None if total is None else max(0, total - done)
        self._on_progress(
            DownloadProgress(
                server_id=self._server_id,
                bytes_done=done,
                total_bytes=total,
                rate=rate,
                eta_seconds=0.0 if final else meter.eta(remaining),
                resumed_from=start,
            )
        )
