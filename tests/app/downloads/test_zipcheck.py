"""StreamingZipCheck: an archive's members checked from the bytes as they are written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.downloads.finishing import zip_is_valid
from app.downloads.zipcheck import StreamingZipCheck


def archive(compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as built:
        for number in range(4):
            built.writestr(f"server.{number}.log", f"line {number}\n" * (3000 * number))
        built.writestr("système.txt", bytes(range(256)) * 8)
    return buffer.getvalue()


def fed(data: bytes, step: int) -> StreamingZipCheck:
    check = StreamingZipCheck()
    for at in range(0, len(data), step):
        check.feed(data[at : at + step])
    return check


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("step", [1, 29, 4096, 1 << 30])
def test_a_sound_archive_is_confirmed_however_it_is_cut(
    tmp_path: Path, compression: int, step: int
) -> None:
    data = archive(compression)
    path = tmp_path / "logs.zip"
    path.write_bytes(data)
    check = fed(data, step)
    assert check.gave_up is None
    assert check.confirms(path)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_damaged_member_is_not_confirmed(tmp_path: Path, compression: int) -> None:
    data = bytearray(archive(compression))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as listed:
        member = listed.infolist()[2]
    data[member.header_offset + 30 + len(member.filename) + 5] ^= 0x01  # in its data
    path = tmp_path / "logs.zip"
    path.write_bytes(data)
    assert not fed(bytes(data), 4096).confirms(path)
    assert not zip_is_valid(path)  # the read-back check, which then decides, agrees


def test_bytes_not_seen_from_the_start_are_not_confirmed(tmp_path: Path) -> None:
    data = archive(zipfile.ZIP_STORED)
    path = tmp_path / "logs.zip"
    path.write_bytes(data)
    check = fed(data[100:], 4096)  # a resumed download's continuation
    assert check.gave_up is not None
    assert not check.confirms(path)


def test_an_archive_cut_short_is_not_confirmed(tmp_path: Path) -> None:
    data = archive(zipfile.ZIP_STORED)
    path = tmp_path / "logs.zip"
    path.write_bytes(data)  # the file is whole, but the check saw only part of it
    assert not fed(data[: len(data) // 2], 4096).confirms(path)
