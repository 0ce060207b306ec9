"""Checking a finished archive, moving it without overwriting, and the part writer."""

from __future__ import annotations

import errno
import io
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.downloads.finishing import move_into_place, zip_is_valid
from app.downloads.writer import PartFile


def make_zip(path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.log", "line\n" * 5000)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_zip_validation(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    data = make_zip(good)
    assert zip_is_valid(good)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    assert not zip_is_valid(truncated)
    flipped = bytearray(data)
    flipped[60] ^= 0xFF  # inside the compressed member
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(flipped))
    assert not zip_is_valid(damaged)
    text = tmp_path / "page.zip"
    text.write_text("<html>login</html>")
    assert not zip_is_valid(text)


def many_members(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for number in range(7):
            archive.writestr(f"server.{number}.log", f"line {number}\n".encode() * 900 * number)
        archive.writestr("empty.txt", b"")
    with zipfile.ZipFile(path) as archive:
        return archive.infolist()


@pytest.mark.parametrize("threads", [1, 2, 3, 16])
def test_a_damaged_member_is_found_whichever_thread_checks_it(tmp_path: Path, threads: int) -> None:
    sound = tmp_path / "sound.zip"
    members = many_members(sound)
    assert zip_is_valid(sound, threads=threads)
    data = sound.read_bytes()
    for member in members:
        if member.file_size == 0:
            continue
        damaged = bytearray(data)
        start = member.header_offset + 30 + len(member.filename.encode())
        damaged[start + member.file_size // 2] ^= 0x01
        path = tmp_path / f"damaged-{member.filename}.zip"
        path.write_bytes(damaged)
        assert not zip_is_valid(path, threads=threads), member.filename
        path.unlink()  # closed on return: removable at once, Windows included


def test_move_into_place_never_overwrites(tmp_path: Path) -> None:
    existing = tmp_path / "logs.zip"
    existing.write_bytes(b"keep me")
    part = tmp_path / "logs.zip.part"
    part.write_bytes(b"new archive")
    final = move_into_place(part, tmp_path, "logs.zip")
    assert final == tmp_path / "logs (1).zip"
    assert final.read_bytes() == b"new archive"
    assert existing.read_bytes() == b"keep me"
    assert not part.exists()


windows_only = pytest.mark.skipif(
    sys.platform != "win32", reason="POSIX renames a file another process holds open"
)


@windows_only
def test_a_download_held_open_by_a_scanner_is_moved_once_it_is_closed(tmp_path: Path) -> None:
    part = tmp_path / "logs.zip.part"
    part.write_bytes(b"new archive")
    scanner = part.open("rb")  # Python's open() does not share delete access: like a scanner
    closer = threading.Timer(0.3, scanner.close)
    closer.start()
    try:
        final = move_into_place(part, tmp_path, "logs.zip", busy_retry_s=30.0)
    finally:
        closer.cancel()
        scanner.close()
    assert final == tmp_path / "logs.zip"
    assert final.read_bytes() == b"new archive"
    assert not part.exists()


@windows_only
def test_a_download_held_open_for_good_is_an_error_and_stays(tmp_path: Path) -> None:
    part = tmp_path / "logs.zip.part"
    part.write_bytes(b"new archive")
    with part.open("rb"), pytest.raises(PermissionError):
        move_into_place(part, tmp_path, "logs.zip", busy_retry_s=0.2)
    assert part.read_bytes() == b"new archive"
    assert not (tmp_path / "logs.zip").exists()


def test_part_file_appends_from_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "x.part"
    path.write_bytes(b"0123456789")
    part = PartFile.open(path, 4)
    assert part.write(b"ab")
    assert part.write(b"cd")
    assert part.position == 8
    part.close()
    part.close()
    assert path.read_bytes() == b"0123abcd"


@pytest.mark.parametrize(
    ("existing", "offset", "expected"),
    [
        (None, 0, b"new"),  # created
        (b"", 0, b"new"),  # reserved empty, kept as it is
        (b"stale bytes", 0, b"new"),  # emptied
        (b"0123456789", 4, b"0123new"),  # resumed: the rest dropped
        (b"0123", 4, b"0123new"),  # resumed at its end
    ],
)
def test_part_file_opens_at_the_offset(
    tmp_path: Path, existing: bytes | None, offset: int, expected: bytes
) -> None:
    path = tmp_path / "x.part"
    if existing is not None:
        path.write_bytes(existing)
    part = PartFile.open(path, offset)
    part.write(memoryview(b"new"))
    part.close()
    assert path.read_bytes() == expected


def test_a_reserved_empty_file_is_opened_without_truncating_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.part"
    path.write_bytes(b"")
    modes: list[str] = []
    real_open = Path.open

    def recording_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        modes.append(mode)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", recording_open)
    part = PartFile.open(path, 0)
    part.write(b"new")
    part.close()
    assert modes == ["r+b"]  # "wb" would truncate it, which ext4 pays for on close
    assert path.read_bytes() == b"new"


def test_a_part_file_gone_before_a_resume_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        PartFile.open(tmp_path / "gone.part", 4)
    assert not (tmp_path / "gone.part").exists()


class FailingFile(io.BytesIO):
    """A file whose ``fail_at``-th write (1-based) fails as a full disk would."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self.writes = 0
        self.fail_at = fail_at
        self.written = bytearray()

    def write(self, data: Any) -> int:
        self.writes += 1
        if self.writes == self.fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.written += data
        return super().write(data)


def test_after_a_failed_write_nothing_more_is_written(tmp_path: Path) -> None:
    failing = FailingFile(fail_at=2)
    part = PartFile(tmp_path / "x.part", failing, 0)
    assert part.write(b"one")
    for piece in (b"two", b"three"):
        with pytest.raises(OSError) as caught:
            part.write(piece)
        assert caught.value.errno == errno.ENOSPC
    part.close()
    assert failing.written == b"one"
    assert failing.writes == 2
    assert part.position == 3


def test_closing_waits_for_a_write_in_progress_and_refuses_later_ones(tmp_path: Path) -> None:
    writing, release = threading.Event(), threading.Event()

    class SlowFile(io.BytesIO):
        def write(self, data: Any) -> int:
            writing.set()
            release.wait(10)
            return super().write(data)

    slow = SlowFile()
    part = PartFile(tmp_path / "x.part", slow, 0)
    writer = threading.Thread(target=part.write, args=(b"piece",))
    writer.start()
    assert writing.wait(10)
    closer = threading.Thread(target=part.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # the write in progress holds the close back
    release.set()
    writer.join(10)
    closer.join(10)
    assert not closer.is_alive()
    assert slow.closed
    assert part.closed
    assert part.write(b"late") is False
    assert part.position == 5
