"""Checking a finished archive, moving it without overwriting, and the part writer."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.downloads.errors import DiskError
from app.downloads.finishing import move_into_place, zip_is_valid
from app.downloads.writer import PartWriter


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


async def test_writer_appends_from_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "x.part"
    path.write_bytes(b"0123456789")
    writer = PartWriter(path)
    await writer.open(4)
    await writer.write(b"ab")
    await writer.write(b"cd")
    await writer.close()
    await writer.close()
    assert path.read_bytes() == b"0123abcd"


async def test_writer_errors_are_typed(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path / "no" / "such" / "dir" / "x.part")
    with pytest.raises(DiskError) as caught:
        await writer.open(0)
    await writer.close()
    assert caught.value.path == tmp_path / "no" / "such" / "dir" / "x.part"
