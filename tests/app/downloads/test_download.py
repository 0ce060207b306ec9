"""Log downloads from a real simulator: complete, interrupted, cancelled, resumed."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.api.client import ManagementClient
from app.api.errors import ConflictError, UnreachableError, UnreachableReason
from app.api.tls import DrainingSSLSocket
from app.downloads import (
    CorruptArchiveError,
    DownloadCancelledError,
    DownloadProgress,
    LogDownload,
    find_resumable,
)
from app.downloads.partfile import PartState, write_state
from tests.app.api.simclient import (
    admin_password,
    requests_seen,
    sim_settings,
    stop_server_now,
    wait_until,
)
from tests.helpers.simulator_process import SimulatorProcess

LOG_SIZE = 2 * 1024 * 1024
SERVER = "as-02"


@pytest.fixture
def sim(start_simulator: Callable[..., SimulatorProcess]) -> SimulatorProcess:
    """A two-server cluster whose archives are 2 MiB."""
    return start_simulator("--servers", "2", "--clients", "20", "--log-size", str(LOG_SIZE))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty download folder (``tmp_path`` also holds the simulator's files)."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def read(path: Path) -> bytes:
    return path.read_bytes()


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def file_size(path: Path) -> int:
    return path.stat().st_size


def assert_valid_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()
        assert archive.testzip() is None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def served_statuses(sim: SimulatorProcess, count: int) -> list[int]:
    """The statuses of the logs requests, sorted, once ``count`` of them are recorded.

    A streamed reply is recorded when its handler ends, which can be after the client
    has the body; so wait for the records, and do not rely on their order.
    """
    wait_until(lambda: len(log_statuses(sim)) >= count, what=f"{count} logs requests")
    return sorted(log_statuses(sim))


def log_statuses(sim: SimulatorProcess) -> list[int]:
    return [r["status"] for r in requests_seen(sim) if r["path"].endswith(f"/{SERVER}/logs")]


async def download(
    client: ManagementClient,
    folder: Path,
    *,
    on_progress: Callable[[DownloadProgress], None] | None = None,
) -> Path:
    job = LogDownload(
        client, SERVER, folder, fallback_name=f"{SERVER}-logs.zip", on_progress=on_progress
    )
    return await job.run()


async def test_a_full_download_is_a_valid_zip(sim: SimulatorProcess, folder: Path) -> None:
    reports: list[DownloadProgress] = []
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        saved = await download(client, folder, on_progress=reports.append)
    assert saved.parent == folder
    assert saved.name == "EKRAN-AS02_logs.zip"
    assert names(folder) == [saved.name], "no .part or sidecar is left"
    assert_valid_zip(saved)
    assert reports[-1].bytes_done == reports[-1].total_bytes == file_size(saved)
    assert reports[-1].fraction == 1.0
    assert all(r.server_id == SERVER for r in reports)
    assert [r.bytes_done for r in reports] == sorted(r.bytes_done for r in reports)


async def test_the_archive_is_received_off_the_event_loop(
    sim: SimulatorProcess, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readers: list[int] = []
    original = DrainingSSLSocket.recv

    def watched(self: DrainingSSLSocket, buflen: int = 1024, flags: int = 0) -> bytes:
        readers.append(threading.get_ident())
        return original(self, buflen, flags)

    monkeypatch.setattr(DrainingSSLSocket, "recv", watched)
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        saved = await download(client, folder)
    assert_valid_zip(saved)
    assert len(readers) >= 2, "the archive came over the CA-file context's sockets"
    assert threading.get_ident() not in readers


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ('attachment; filename="../../Windows/System32/evil.zip"', "evil.zip"),
        # inside a quoted-string a backslash escapes the next character (RFC 6266)
        ('attachment; filename="C:\\Users\\Public\\x.zip"', "UsersPublicx.zip"),
        ("attachment; filename=C:\\Users\\Public\\x.zip", "x.zip"),
        ('attachment; filename="CON.zip"', "_CON.zip"),
        ("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "passwd.zip"),
    ],
)
async def test_a_hostile_server_file_name_stays_inside_the_folder(
    sim: SimulatorProcess, folder: Path, disposition: str, expected: str
) -> None:
    await asyncio.to_thread(sim.add_fault, kind="content_disposition", value=disposition)
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        saved = await download(client, folder)
    assert saved.parent == folder
    assert saved.name == expected
    assert names(folder) == [expected]
    assert_valid_zip(saved)


async def test_an_existing_file_is_not_overwritten(sim: SimulatorProcess, folder: Path) -> None:
    mine = folder / "EKRAN-AS02_logs.zip"
    write(mine, b"my own notes")
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        first = await download(client, folder)
        second = await download(client, folder)
    assert read(mine) == b"my own notes"
    assert first.name == "EKRAN-AS02_logs (1).zip"
    assert second.name == "EKRAN-AS02_logs (2).zip"
    assert sha256(first) == sha256(second)


async def test_a_cut_download_resumes_byte_identical(sim: SimulatorProcess, folder: Path) -> None:
    reference, target = folder / "reference", folder / "resumed"
    for path in (reference, target):
        path.mkdir()
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        whole = await download(client, reference)
        sim.add_fault(kind="cut_download", after_bytes=700_000)
        with pytest.raises(UnreachableError) as caught:
            await download(client, target)
        assert caught.value.reason is UnreachableReason.CONNECTION_LOST
    pending = find_resumable(target)
    assert len(pending) == 1
    assert 0 < pending[0].bytes_done < file_size(whole)
    assert pending[0].state.server_id == SERVER
    reports: list[DownloadProgress] = []
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as restarted:
        resumed = await download(restarted, target, on_progress=reports.append)
    assert sha256(resumed) == sha256(whole)
    assert served_statuses(sim, 3) == [200, 200, 206]
    assert reports[-1].resumed_from == pending[0].bytes_done
    assert find_resumable(target) == []


async def test_cancel_keeps_the_part_and_resume_finishes(
    sim: SimulatorProcess, folder: Path
) -> None:
    cancelled: list[int] = []

    def cancel_once(report: DownloadProgress) -> None:
        if report.bytes_done >= 256 * 1024 and not cancelled:
            cancelled.append(report.bytes_done)
            job.cancel()

    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        job = LogDownload(
            client, SERVER, folder, fallback_name="x.zip", chunk_size=64 * 1024,
            report_interval=0.0, on_progress=cancel_once,
        )  # fmt: skip
        with pytest.raises(DownloadCancelledError) as caught:
            await job.run()
        assert caught.value.path is not None
        assert caught.value.path.name.endswith(".zip.part")
        kept = find_resumable(folder)
        assert len(kept) == 1
        assert kept[0].bytes_done >= 256 * 1024
        saved = await job.run()
    assert_valid_zip(saved)
    # The cancelled request is recorded with whatever status its handler ended with; the
    # second one resumed (206), or found the part already whole when the cancel landed
    # after the last block had been written (416): never a fresh start (200).
    statuses = served_statuses(sim, 2)
    assert len(statuses) == 2
    assert any(status in (206, 416) for status in statuses), statuses


async def test_cancelling_the_task_keeps_the_part(sim: SimulatorProcess, folder: Path) -> None:
    tasks: list[asyncio.Task[Path]] = []

    def cancel_the_task(report: DownloadProgress) -> None:
        if report.bytes_done > 0 and not tasks[0].cancelling():
            tasks[0].cancel()

    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        job = LogDownload(
            client, SERVER, folder, fallback_name="x.zip", chunk_size=16 * 1024,
            report_interval=0.0, on_progress=cancel_the_task,
        )  # fmt: skip
        tasks.append(asyncio.create_task(job.run()))
        with pytest.raises(asyncio.CancelledError):
            await tasks[0]
    kept = find_resumable(folder)
    assert len(kept) == 1
    assert kept[0].bytes_done > 0


async def test_a_changed_archive_starts_over(sim: SimulatorProcess, folder: Path) -> None:
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        sim.add_fault(kind="cut_download", after_bytes=500_000)
        with pytest.raises(UnreachableError):
            await download(client, folder)
        pending = find_resumable(folder)[0]
        stale = PartState(**{**pending.state.__dict__, "etag": '"an-older-archive"'})
        write_state(pending.part_path, stale)
        saved = await download(client, folder)
    assert_valid_zip(saved)
    assert served_statuses(sim, 2) == [200, 200], "If-Range did not match: the whole archive came"


async def test_a_complete_part_is_finished_without_downloading(
    sim: SimulatorProcess, folder: Path
) -> None:
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        sim.add_fault(kind="cut_download", after_bytes=100_000)
        with pytest.raises(UnreachableError):
            await download(client, folder)
        pending = find_resumable(folder)[0]
        whole = await download(client, folder)
        # A complete copy left as an unfinished download: the app died before renaming it.
        write(pending.part_path, read(whole))
        write_state(pending.part_path, pending.state)
        reports: list[DownloadProgress] = []
        again = await download(client, folder, on_progress=reports.append)
    assert sha256(again) == sha256(whole)
    assert again != whole
    assert served_statuses(sim, 3) == [200, 206, 416]
    size = len(read(whole))
    assert [(r.bytes_done, r.total_bytes, r.resumed_from) for r in reports] == [
        (size, size, size)
    ], "the finished item reports itself complete"


async def test_a_corrupted_part_is_detected_and_dropped(
    sim: SimulatorProcess, folder: Path
) -> None:
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        sim.add_fault(kind="cut_download", after_bytes=600_000)
        with pytest.raises(UnreachableError):
            await download(client, folder)
        part = find_resumable(folder)[0].part_path
        damaged = bytearray(read(part))
        damaged[1000:1100] = bytes(100)
        write(part, bytes(damaged))
        with pytest.raises(CorruptArchiveError):
            await download(client, folder)
    assert names(folder) == []


async def test_an_offline_server_cannot_send_logs(sim: SimulatorProcess, folder: Path) -> None:
    stop_server_now(sim, SERVER)
    settings = sim_settings(sim, urls=(sim.url_of("as-01"),))
    async with ManagementClient(settings, admin_password(sim)) as client:
        with pytest.raises(ConflictError) as caught:
            await download(client, folder)
    assert "EKRAN-AS02" in caught.value.message
    assert names(folder) == []
