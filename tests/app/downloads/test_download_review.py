"""Review finding for LogDownload: a write that fails after a cancellation (it was still
running on the receiving thread) must not turn the cancellation into a disk error."""

from __future__ import annotations

import asyncio
import errno
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from app.api.logstream import LogStream
from app.api.settings import EndpointSettings
from app.downloads import LogDownload
from app.downloads import download as download_module
from app.downloads.errors import DownloadCancelledError, DownloadError
from app.downloads.writer import PartFile

URL = "https://mt.test/EkranSystem/api/v1/cluster/servers/as-01/logs"
CHUNK = 64 * 1024


class SlowBody(httpx.AsyncByteStream):
    """Three chunks with a pause between them, as a network delivers them."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for n in range(3):
            yield bytes([n]) * CHUNK
            await asyncio.sleep(0.05)


class OneArchive:
    """A LogSource whose only reply is SlowBody."""

    settings = EndpointSettings(urls=("https://mt.test/EkranSystem",), username="admin")

    @asynccontextmanager
    async def stream_logs(
        self, server_id: str, *, offset: int = 0, if_range: str | None = None
    ) -> AsyncIterator[LogStream]:
        response = httpx.Response(
            200,
            headers={"Content-Type": "application/zip", "Content-Length": str(3 * CHUNK)},
            stream=SlowBody(),
            request=httpx.Request("GET", URL),
        )
        try:
            yield LogStream(response, requested_offset=offset, url=URL)
        finally:
            await response.aclose()


class FullDisk(PartFile):
    """Every write fails as a full disk does, a little after it started."""

    writing = threading.Event()

    def write(self, piece: bytes | memoryview) -> bool:
        self.writing.set()
        time.sleep(0.2)
        raise OSError(errno.ENOSPC, "No space left on device")


async def test_a_write_failing_after_cancel_leaves_the_cancellation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download_module, "PartFile", FullDisk)
    FullDisk.writing.clear()
    job = LogDownload(OneArchive(), "as-01", tmp_path, fallback_name="as-01.zip", chunk_size=CHUNK)
    running = asyncio.create_task(job.run())
    assert await asyncio.to_thread(FullDisk.writing.wait, 10)
    job.cancel()  # while the first write is still on its way to failing
    with pytest.raises(DownloadError) as caught:
        await running
    assert isinstance(caught.value, DownloadCancelledError)  # not DiskFullError
    assert running.cancelling() == 0  # run() took back the cancellation it reported
