"""A log archive download in progress: the reply's metadata and its body as a byte stream."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing

import httpx

from app.api.content_disposition import filename_parameter
from app.api.errors import ConsoleError, ProtocolError
from app.api.replies import media_type
from app.api.transport_errors import transport_error
from app.api.worker_transport import (
    DEFAULT_PROGRESS_INTERVAL,
    WORKER_BODY,
    BodySink,
    WorkerBody,
)

DEFAULT_CHUNK_SIZE = 1024 * 1024  # per hand-off to the disk writer
_ARCHIVE_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
)
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)


class LogStream:
    """The open reply to a logs request.

    ``status`` is 200 (the whole archive; ``offset`` 0) or 206 (the rest of it from
    ``offset``). ``url`` is the request URL on the endpoint that answered.
    ``total_size`` is the size of the whole archive, when the server said.
    ``filename`` is the server's suggested name, raw and untrusted; ``etag`` is the
    archive's validator for a later ``If-Range``. Valid only inside the
    ``ManagementClient.stream_logs`` context.
    """

    def __init__(self, response: httpx.Response, *, requested_offset: int, url: str) -> None:
        self._response = response
        self._url = url
        self.url = url
        self.status = response.status_code
        self.etag = response.headers.get("etag")
        self.content_disposition = response.headers.get("content-disposition")
        self.filename = filename_parameter(self.content_disposition)
        self._check_shape()
        if self.status == 206:
            self.offset, self.total_size = _partial_range(response, requested_offset, url)
        else:
            self.offset = 0
            self.total_size = _content_length(response)

    def __repr__(self) -> str:
        return (
            f"LogStream(status={self.status}, offset={self.offset}, "
            f"total_size={self.total_size}, etag={self.etag!r})"
        )

    async def aiter_bytes(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncGenerator[bytes]:
        """The body from ``offset`` on, in chunks of about ``chunk_size`` bytes.

        When the connection drops, the bytes received so far are still yielded, then
        ``UnreachableError(reason=CONNECTION_LOST)`` is raised, so a resume loses nothing.
        """
        failure: ConsoleError | None = None
        body = self._response.aiter_bytes()  # identity-encoded (_check_shape): raw bytes
        chunks = _joined(body, chunk_size)
        try:
            try:
                async with aclosing(chunks):
                    async for chunk in chunks:
                        yield chunk
            except httpx.TransportError as exc:
                failure = transport_error(exc, self._url)
        finally:
            # The reply is closed before httpx's nested body generators are dropped, so
            # their clean-up finds it closed and awaits nothing: qasync's loop does not
            # finalize abandoned async generators, the garbage collector does.
            await self._response.aclose()
            if isinstance(body, AsyncGenerator):
                await body.aclose()
        if failure is not None:
            raise failure

    async def save_into(
        self,
        sink: BodySink,
        *,
        on_progress: Callable[[int], None] | None = None,
        progress_interval: float = DEFAULT_PROGRESS_INTERVAL,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> int:
        """Pass the body from ``offset`` on to ``sink``, piece by piece, off the event loop.

        ``sink`` runs on a worker thread: the reply's own when it came through
        ``WorkerThreadTransport`` (the body then never reaches the event loop), else a
        thread of ``asyncio.to_thread`` per chunk of about ``chunk_size`` bytes. It
        returns False to stop early. ``on_progress`` gets, on the event loop and at most
        every ``progress_interval`` seconds, the number of bytes passed so far. Returns
        that number at the end. When the connection drops, every byte received before
        went to ``sink``, then ``UnreachableError(reason=CONNECTION_LOST)`` is raised; an
        exception of ``sink`` is raised as it is. Cancelling stops the reading; one ``sink`` call
        may still be running on its thread (see ``WorkerBody.drain_into``).
        """
        body = self._response.extensions.get(WORKER_BODY)
        if not isinstance(body, WorkerBody):
            return await self._save_through_the_loop(sink, on_progress, chunk_size)
        try:
            return await body.drain_into(
                sink, on_progress=on_progress, progress_interval=progress_interval
            )
        except httpx.TransportError as exc:
            raise transport_error(exc, self._url) from None
        finally:
            await self._response.aclose()

    async def _save_through_the_loop(
        self, sink: BodySink, on_progress: Callable[[int], None] | None, chunk_size: int
    ) -> int:
        """``save_into`` for a reply of any other transport (tests' mock transports)."""
        done = 0
        chunks = self.aiter_bytes(chunk_size)
        async with aclosing(chunks):
            async for chunk in chunks:
                keep = await asyncio.to_thread(sink, chunk)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(done)
                if not keep:
                    break
        return done

    def _check_shape(self) -> None:
        if self.status not in (200, 206):
            raise ProtocolError(
                f"The logs request got an unexpected answer (HTTP {self.status}).",
                status=self.status,
                url=self._url,
            )
        media = media_type(self._response)
        if media not in _ARCHIVE_TYPES:
            raise ProtocolError(
                f"The Management Tool sent {media or 'an untyped reply'} instead of a zip archive.",
                status=self.status,
                url=self._url,
            )
        encoding = self._response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise ProtocolError(
                "The Management Tool compressed the log archive in transit, which this "
                "console does not support for downloads.",
                status=self.status,
                detail=f"content-encoding {encoding!r}",
                url=self._url,
            )


async def _joined(body: AsyncIterator[bytes], chunk_size: int) -> AsyncGenerator[bytes]:
    """The pieces of ``body`` joined into chunks of at least ``chunk_size`` bytes (the
    last one shorter); a piece that is already that large is passed on as it is. When
    ``body`` fails, the bytes received before are yielded first."""
    pieces: list[bytes] = []
    buffered = 0
    try:
        async for piece in body:
            pieces.append(piece)
            buffered += len(piece)
            if buffered >= chunk_size:
                yield pieces[0] if len(pieces) == 1 else b"".join(pieces)
                pieces.clear()
                buffered = 0
    except httpx.TransportError:
        if pieces:
            yield b"".join(pieces)
        raise
    if pieces:
        yield b"".join(pieces)


def unsatisfied_range_total(response: httpx.Response) -> int | None:
    """The archive size in a 416 reply's ``Content-Range: bytes */TOTAL``, if present."""
    match = _UNSATISFIED_RANGE.match(response.headers.get("content-range", ""))
    return int(match.group(1)) if match else None


def _partial_range(response: httpx.Response, requested: int, url: str) -> tuple[int, int | None]:
    header = response.headers.get("content-range", "")
    match = _CONTENT_RANGE.match(header)
    if match is None or int(match.group(1)) != requested:
        raise ProtocolError(
            "The Management Tool resumed the download at the wrong position.",
            status=206,
            detail=f"requested bytes={requested}-, got Content-Range {header[:80]!r}",
            url=url,
        )
    total = None if match.group(3) == "*" else int(match.group(3))
    return requested, total


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None
