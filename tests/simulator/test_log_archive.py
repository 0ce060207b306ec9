"""Log archives: deterministic, close to the requested size, valid, cached and thread-safe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pytest

from simulator import logs
from simulator.logs import MIN_ARCHIVE_BYTES, LogArchive, build_log_archive

LINE = re.compile(
    rb"^(?P<stamp>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \[(?P<level>INFO |WARN |ERROR)\] "
    rb"\[T\d\d\] \w+: \S"
)
APP_LOG = "AppServer/EkranSystem_AppServer"


def build(cache_dir: Path, *, size: int = 200_000, seed: int = 1, server: int = 1) -> LogArchive:
    return build_log_archive(
        f"as-{server:02d}",
        f"EKRAN-AS{server:02d}",
        "9.2.4.1270",
        size=size,
        seed=seed,
        cache_dir=cache_dir,
    )


def timestamps(text: bytes) -> list[bytes]:
    """The timestamps of every log line; fails on a line that is neither entry nor trace."""
    stamps = []
    for line in text.split(b"\r\n")[:-1]:
        match = LINE.match(line)
        if match is None:
            assert line.startswith(b"   at "), line
        else:
            stamps.append(match["stamp"])
    return stamps


@pytest.fixture(scope="module")
def megabyte_archive(tmp_path_factory: pytest.TempPathFactory) -> LogArchive:
    return build(tmp_path_factory.mktemp("logs"), size=1_000_000, seed=7)


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    first = build(tmp_path / "a")
    second = build(tmp_path / "b")

    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.etag == second.etag
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.etag)
    assert first.filename == "EKRAN-AS01_logs.zip"


def test_other_seed_or_server_gives_other_content(tmp_path: Path) -> None:
    base = build(tmp_path)
    other_seed = build(tmp_path, seed=2)
    other_server = build(tmp_path, server=2)

    assert len({base.path, other_seed.path, other_server.path}) == 3
    assert len({base.etag, other_seed.etag, other_server.etag}) == 3
    assert base.path.read_bytes() != other_seed.path.read_bytes()
    assert other_server.filename == "EKRAN-AS02_logs.zip"


def test_content_does_not_depend_on_the_process(tmp_path: Path) -> None:
    here = build(tmp_path / "here")
    script = (
        "import sys; from pathlib import Path; from simulator.logs import build_log_archive; "
        "print(build_log_archive('as-01', 'EKRAN-AS01', '9.2.4.1270', size=200_000, seed=1, "
        "cache_dir=Path(sys.argv[1])).path)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "there")],
        capture_output=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    there = Path(done.stdout.decode().strip())
    assert there.read_bytes() == here.path.read_bytes()


@pytest.mark.parametrize("size", [8_192, 20_000, 150_000, 2_000_000, 5_000_000])
def test_archive_size_is_close_to_the_request(tmp_path: Path, size: int) -> None:
    archive = build(tmp_path, size=size)
    assert archive.size == archive.path.stat().st_size
    assert abs(archive.size - size) <= 0.03 * size


@pytest.mark.parametrize("size", [0, 1, 4_000])
def test_tiny_requests_still_get_a_few_kilobytes(tmp_path: Path, size: int) -> None:
    archive = build(tmp_path, size=size)
    assert 0.97 * MIN_ARCHIVE_BYTES <= archive.size <= MIN_ARCHIVE_BYTES
    with zipfile.ZipFile(archive.path) as bundle:
        assert bundle.testzip() is None


def test_archive_holds_the_files_of_a_support_bundle(megabyte_archive: LogArchive) -> None:
    with zipfile.ZipFile(megabyte_archive.path) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        info = bundle.read("system-info.txt").decode()
        entries = {entry.filename: entry for entry in bundle.infolist()}

    assert names[0] == "system-info.txt"
    for expected in (
        f"{APP_LOG}.log",
        f"{APP_LOG}.1.log",
        "ManagementTool/ManagementTool.log",
        "Database/DbMaintenance.log",
    ):
        assert expected in names
        assert entries[expected].file_size > 0
    for fact in ("EKRAN-AS01", "as-01", "9.2.4.1270", "Windows Server"):
        assert fact in info
    assert all(entry.compress_type == zipfile.ZIP_STORED for entry in entries.values())


def test_log_lines_are_timestamped_in_order_with_levels(megabyte_archive: LogArchive) -> None:
    with zipfile.ZipFile(megabyte_archive.path) as bundle:
        rotated = bundle.read(f"{APP_LOG}.1.log")
        current = bundle.read(f"{APP_LOG}.log")
        side_logs = [
            bundle.read(name)
            for name in bundle.namelist()
            if name.endswith(".log") and not name.startswith("AppServer")
        ]

    stamps = timestamps(rotated) + timestamps(current)
    assert len(stamps) > 1000
    assert stamps == sorted(stamps)  # the rotated log is the older one
    assert len(side_logs) == 2
    for text in side_logs:
        side = timestamps(text)
        assert side
        assert side == sorted(side)
    app_text = rotated + current
    for needed in (b"[INFO ]", b"[WARN ]", b"[ERROR]", b" connected;", b" disconnected:"):
        assert needed in app_text
    assert b"EKRAN-AS01" in app_text
    assert b"\x01" not in app_text


def test_entry_times_are_fixed_and_follow_the_logs(megabyte_archive: LogArchive) -> None:
    with zipfile.ZipFile(megabyte_archive.path) as bundle:
        rotated = bundle.getinfo(f"{APP_LOG}.1.log")
        current = bundle.getinfo(f"{APP_LOG}.log")
        last_rotated_line = timestamps(bundle.read(rotated))[-1]
        collected = re.search(rb"Collected: +(\S+ \S+)", bundle.read("system-info.txt"))
    assert collected is not None
    as_text = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}"
    assert as_text.format(*current.date_time).encode() == collected[1]
    assert as_text.format(*rotated.date_time).encode() >= last_rotated_line[:19]
    assert rotated.date_time < current.date_time


def test_second_call_returns_the_cached_archive(tmp_path: Path) -> None:
    first = build(tmp_path)
    stat = first.path.stat()

    again = build(tmp_path)

    assert again == first
    after = again.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.path.name]


def test_concurrent_builds_from_threads_give_one_valid_file(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: build(tmp_path, size=3_000_000), range(8)))

    assert len(set(results)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [results[0].path.name]
    with zipfile.ZipFile(results[0].path) as bundle:
        assert bundle.testzip() is None


def test_a_failed_build_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_midway(self: object, file: BinaryIO) -> None:
        file.write(b"PK\x03\x04 partial")
        raise OSError("No space left on device")

    monkeypatch.setattr(logs._Recipe, "write", fail_midway)
    with pytest.raises(OSError, match="No space"):
        build(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_names_are_made_safe_for_files(tmp_path: Path) -> None:
    archive = build_log_archive(
        "as/../01", "EKRAN AS:01", "9.2.4.1270", size=0, seed=0, cache_dir=tmp_path
    )
    assert archive.path.parent == tmp_path
    assert archive.filename == "EKRAN_AS_01_logs.zip"


def test_negative_size_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size"):
        build(tmp_path, size=-1)
