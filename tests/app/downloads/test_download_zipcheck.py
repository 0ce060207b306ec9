"""A download's zip check made while the archive is written, and its fallback.

A download from the first byte has its members checked as they are written, so only
the central directory is read afterwards; a resumed one (whose first bytes were written
by an earlier run) is read back and checked as before. Either way a damaged archive is
refused.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import app.downloads.download as download_module
from app.api.client import ManagementClient
from app.api.errors import UnreachableError
from app.downloads import CorruptArchiveError, LogDownload, find_resumable
from app.downloads.finishing import zip_is_valid
from tests.app.api.fake_tool import FakeTool
from tests.app.api.simclient import admin_password, sim_settings
from tests.app.downloads.test_download_edges import LOGS, client_for, names
from tests.helpers.simulator_process import SimulatorProcess

SERVER = "as-02"


@pytest.fixture
def sim(start_simulator: Callable[..., SimulatorProcess]) -> SimulatorProcess:
    """A two-server cluster whose archives are 2 MiB."""
    return start_simulator("--servers", "2", "--log-size", str(2 * 1024 * 1024))


@pytest.fixture
def read_back(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The archives the download read back to check (``zip_is_valid``), recorded."""
    checked: list[Path] = []

    def recording(path: Path) -> bool:
        checked.append(path)
        return zip_is_valid(path)

    monkeypatch.setattr(download_module, "zip_is_valid", recording)
    return checked


def assert_sound_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()
        assert archive.testzip() is None


async def test_a_whole_download_is_checked_while_written(
    sim: SimulatorProcess, tmp_path: Path, read_back: list[Path]
) -> None:
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        saved = await LogDownload(client, SERVER, tmp_path, fallback_name="x.zip").run()
    assert_sound_zip(saved)
    assert read_back == []  # confirmed by the check made while writing


async def test_a_resumed_download_is_read_back_to_check(
    sim: SimulatorProcess, tmp_path: Path, read_back: list[Path]
) -> None:
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        sim.add_fault(kind="cut_download", after_bytes=700_000)
        with pytest.raises(UnreachableError):
            await LogDownload(client, SERVER, tmp_path, fallback_name="x.zip").run()
        part = find_resumable(tmp_path)[0].part_path
        saved = await LogDownload(client, SERVER, tmp_path, fallback_name="x.zip").run()
    assert_sound_zip(saved)
    assert read_back == [part]  # its first 700 KB were not seen by this run


def damaged_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("AppServer.log", b"2025-03-12 10:15:02 INFO started\n" * 4000)
        archive.writestr("system-info.txt", b"version 9\n" * 100)
    data = bytearray(buffer.getvalue())
    data[5000] ^= 0x20  # inside the first member's data: its CRC no longer matches
    return bytes(data)


async def test_an_archive_damaged_in_transit_is_refused(
    tmp_path: Path, read_back: list[Path]
) -> None:
    # A real server does not damage its archive on the way: a fake one does.
    body = damaged_archive()

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/zip"})

    async with client_for(FakeTool({LOGS: reply})) as client:
        job = LogDownload(client, "as-01", tmp_path, fallback_name="as-01.zip")
        with pytest.raises(CorruptArchiveError):
            await job.run()
    assert len(read_back) == 1  # not confirmed while written: read back, and refused
    assert names(tmp_path) == []
