"""Review finding for LogDownload: a queued write that fails after a cancellation must not
turn the cancellation into a disk error."""

from __future__ import annotations

import asyncio
import errno
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
from app.downloads.progress import DownloadProgress
from app.downloads.writer import PartWriter

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


class FullDisk(PartWriter):
    """Every write fails as a full disk does, a little after it was queued."""

    def _write(self, chunk: bytes) -> None:
        time.sleep(0.2)
        raise OSError(errno.ENOSPC, "No space left on device")


async def test_a_write_failing_after_cancel_leaves_the_cancellation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download_module, "PartWriter", FullDisk)
    job: LogDownload | None = None

    def cancel_at_first_report(report: DownloadProgress) -> None:
        if report.bytes_done > 0 and job is not None:
            job.cancel()

    job = LogDownload(
        OneArchive(),
        "as-01",
        tmp_path,
        fallback_name="as-01.zip",
        chunk_size=CHUNK,
        report_interval=0.0,
        on_progress=cancel_at_first_report,
    )
    with pytest.raises(DownloadError) as caught:
        await job.run()
    assert isinstance(caught.value, DownloadCancelledError)  # not DiskFullError
    current = asyncio.current_task()
    assert current is not None
    assert current.cancelling() == 0  # run() took back the cancellation it reported
