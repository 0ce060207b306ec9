"""Download replies the simulator does not produce: hostile names, missing validators, lies."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from app.api.client import ManagementClient
from app.api.errors import ProtocolError, UnreachableError
from app.api.settings import EndpointSettings, ProxyMode, ProxySetting
from app.downloads import (
    DiskError,
    DownloadProgress,
    LogDownload,
    SizeMismatchError,
    find_resumable,
)
from app.downloads.partfile import PartState, part_path, write_state
from tests.app.api.fake_tool import BASE, FakeTool

LOGS = "/api/v1/cluster/servers/as-01/logs"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("AppServer.log", "2025-03-12 10:15:02 INFO started\n" * 2000)
    return buffer.getvalue()


ARCHIVE = zip_bytes()


def archive_reply(
    disposition: str | None = 'attachment; filename="as-01.zip"', **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        values = {b"Content-Type": b"application/zip"}
        values.update((k.encode(), v.encode()) for k, v in headers.items())
        if disposition is not None:
            values[b"Content-Disposition"] = disposition.encode("utf-8")  # raw, as servers send
        return httpx.Response(200, content=ARCHIVE, headers=values)

    return reply


def client_for(tool: FakeTool) -> ManagementClient:
    settings = EndpointSettings(
        urls=(BASE,), username="admin", proxy=ProxySetting(mode=ProxyMode.NONE)
    )

    async def password() -> str:
        return "pw"

    return ManagementClient(settings, password, transport=tool.transport())


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def fetch(tool: FakeTool, folder: Path) -> Path:
    async with client_for(tool) as client:
        return await LogDownload(client, "as-01", folder, fallback_name="as-01-logs.zip").run()


@pytest.mark.parametrize(
    ("disposition", "saved_as"),
    [
        ('attachment; filename="../../../../home/user/.bashrc"', "bashrc.zip"),
        (
            'attachment; filename="C:\\\\Windows\\\\System32\\\\drivers\\\\etc\\\\hosts"',
            "hosts.zip",
        ),
        ('attachment; filename="CON.zip"', "_CON.zip"),
        ("attachment; filename*=UTF-8''%2E%2E%2F%2E%2E%2Fevil.zip", "evil.zip"),
        ("attachment; filename*=UTF-8''report%E2%80%AEgpj.exe", "reportgpj.exe.zip"),
        ('attachment; filename="Журнал AS-01.zip"', "Журнал AS-01.zip"),
        ('attachment; filename=""', "as-01-logs.zip"),
        (None, "as-01-logs.zip"),
    ],
)
async def test_hostile_names_stay_inside_the_folder(
    tmp_path: Path, disposition: str | None, saved_as: str
) -> None:
    tool = FakeTool({LOGS: archive_reply(disposition, ETag='"a1"')})
    saved = await fetch(tool, tmp_path)
    assert saved == tmp_path / saved_as
    assert saved.read_bytes() == ARCHIVE


async def test_without_an_etag_a_partial_file_is_not_continued(tmp_path: Path) -> None:
    part = part_path(tmp_path / "as-01.zip")
    part.write_bytes(ARCHIVE[:1000])
    write_state(
        part,
        PartState("as-01", BASE + LOGS, etag=None, total_size=len(ARCHIVE), final_name="as-01.zip"),
    )
    ranges: list[str | None] = []

    def reply(request: httpx.Request) -> httpx.Response:
        ranges.append(request.headers.get("range"))
        return archive_reply()(request)

    saved = await fetch(FakeTool({LOGS: reply}), tmp_path)
    assert ranges == [None]
    assert saved.read_bytes() == ARCHIVE
    assert find_resumable(tmp_path) == []


async def test_a_partial_file_of_another_cluster_is_left_alone(tmp_path: Path) -> None:
    part = part_path(tmp_path / "as-01.zip")
    part.write_bytes(b"other cluster")
    other = PartState("as-01", "https://other/EkranSystem" + LOGS, '"x"', 99, "as-01.zip")
    write_state(part, other)
    saved = await fetch(FakeTool({LOGS: archive_reply(ETag='"a1"')}), tmp_path)
    assert saved.name == "as-01 (1).zip"
    assert part.read_bytes() == b"other cluster"


async def test_a_short_body_is_a_size_mismatch_and_stays_resumable(tmp_path: Path) -> None:
    def short(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=ARCHIVE[:-10],
            headers={"Content-Type": "application/zip", "Content-Length": str(len(ARCHIVE)),
                     "ETag": '"a1"'},
        )  # fmt: skip

    with pytest.raises(SizeMismatchError) as caught:
        await fetch(FakeTool({LOGS: short}), tmp_path)
    assert caught.value.path == tmp_path / "as-01-logs.zip.part"
    assert [r.bytes_done for r in find_resumable(tmp_path)] == [len(ARCHIVE) - 10]


async def test_a_resume_at_the_wrong_offset_is_refused(tmp_path: Path) -> None:
    part = part_path(tmp_path / "as-01.zip")
    part.write_bytes(ARCHIVE[:1000])
    write_state(part, PartState("as-01", BASE + LOGS, '"a1"', len(ARCHIVE), "as-01.zip"))

    def wrong(request: httpx.Request) -> httpx.Response:
        assert request.headers["range"] == "bytes=1000-"
        assert request.headers["if-range"] == '"a1"'
        return httpx.Response(
            206,
            content=ARCHIVE[500:],
            headers={"Content-Type": "application/zip", "ETag": '"a1"',
                     "Content-Range": f"bytes 500-{len(ARCHIVE) - 1}/{len(ARCHIVE)}"},
        )  # fmt: skip

    with pytest.raises(ProtocolError):
        await fetch(FakeTool({LOGS: wrong}), tmp_path)
    assert part.read_bytes() == ARCHIVE[:1000]


async def test_an_html_page_instead_of_the_archive(tmp_path: Path) -> None:
    def html(request: httpx.Request) -> httpx.Response:
        page = "<html>proxy login</html>"
        return httpx.Response(200, text=page, headers={"Content-Type": "text/html"})

    with pytest.raises(ProtocolError):
        await fetch(FakeTool({LOGS: html}), tmp_path)
    assert names(tmp_path) == []


async def test_a_missing_folder_is_a_disk_error(tmp_path: Path) -> None:
    with pytest.raises(DiskError) as caught:
        await fetch(FakeTool({LOGS: archive_reply(ETag='"a1"')}), tmp_path / "missing")
    assert caught.value.path is not None
    assert "missing" in str(caught.value.path)


async def test_concurrent_downloads_get_distinct_files(tmp_path: Path) -> None:
    tool = FakeTool({LOGS: archive_reply(ETag='"a1"')})
    async with client_for(tool) as client:
        jobs = [LogDownload(client, "as-01", tmp_path, fallback_name="x.zip") for _ in range(3)]
        saved = await asyncio.gather(*(job.run() for job in jobs))
    assert sorted(p.name for p in saved) == ["as-01 (1).zip", "as-01 (2).zip", "as-01.zip"]
    assert all(p.read_bytes() == ARCHIVE for p in saved)


async def test_after_a_cut_the_last_report_counts_the_bytes_saved(tmp_path: Path) -> None:
    piece, pieces, total = 256 * 1024, 6, 4 * 1024 * 1024

    class CutStream(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(pieces):
                yield b"x" * piece
            raise httpx.ReadError("the connection was cut")

    def cut(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            stream=CutStream(),
            headers={"Content-Type": "application/zip", "Content-Length": str(total),
                     "ETag": '"a1"'},
        )  # fmt: skip

    reports: list[DownloadProgress] = []
    async with client_for(FakeTool({LOGS: cut})) as client:
        job = LogDownload(
            client, "as-01", tmp_path, fallback_name="as-01-logs.zip", chunk_size=piece,
            report_interval=3600.0, on_progress=reports.append,
        )  # fmt: skip
        with pytest.raises(UnreachableError):
            await job.run()
    # Reports are throttled (here to one an hour): only the first piece's got through while
    # bytes arrived ("256 KB of 4.0 MB"); the run's last report counts what was saved.
    (kept,) = find_resumable(tmp_path)
    assert kept.bytes_done == pieces * piece
    assert [r.bytes_done for r in reports] == [piece, pieces * piece]
    assert reports[-1].total_bytes == total
    assert (reports[-1].rate, reports[-1].eta_seconds) == (0.0, None)  # nothing arrives
