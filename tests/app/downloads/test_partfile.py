"""The sidecar of an unfinished download, and finding downloads that can resume."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from app.downloads.errors import DiskError, DiskFullError, WritePermissionError, disk_error
from app.downloads.partfile import (
    PartState,
    find_resumable,
    part_path,
    remove_part,
    sidecar_path,
    write_state,
)

STATE = PartState(
    server_id="as-02",
    url="https://mt01.corp.local/EkranSystem/api/v1/cluster/servers/as-02/logs",
    etag='"as-02-logs-7f3e91c2"',
    total_size=4_194_304,
    final_name="EKRAN-AS02-logs.zip",
)


def test_state_round_trips() -> None:
    assert PartState.from_json(STATE.to_json()) == STATE


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"format": 99}),
        json.dumps({"format": 1, "server_id": "as-02"}),
        STATE.to_json().replace('"EKRAN-AS02-logs.zip"', '"../evil.zip"'),
        STATE.to_json().replace("4194304", '"big"'),
        STATE.to_json().replace("4194304", "true"),
    ],
)
def test_foreign_or_damaged_sidecars_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        PartState.from_json(text)


def test_find_resumable_lists_complete_pairs_newest_first(tmp_path: Path) -> None:
    older = part_path(tmp_path / "old.zip")
    older.write_bytes(b"x" * 10)
    write_state(older, STATE)
    newer = part_path(tmp_path / "new.zip")
    newer.write_bytes(b"y" * 3)
    write_state(newer, PartState(**{**STATE.__dict__, "final_name": "new.zip"}))
    orphan_sidecar = part_path(tmp_path / "gone.zip")
    write_state(orphan_sidecar, STATE)  # its .part was deleted
    (tmp_path / "broken.zip.part").write_bytes(b"z")
    sidecar_path(tmp_path / "broken.zip.part").write_text("{", encoding="utf-8")
    os.utime(older, (1_000_000, 1_000_000))

    found = find_resumable(tmp_path)

    assert [(f.part_path.name, f.bytes_done) for f in found] == [
        ("new.zip.part", 3),
        ("old.zip.part", 10),
    ]
    assert found[1].final_path == tmp_path / "EKRAN-AS02-logs.zip"
    assert sidecar_path(tmp_path / "broken.zip.part").exists(), "never deleted, only skipped"


def test_find_resumable_in_a_missing_folder(tmp_path: Path) -> None:
    assert find_resumable(tmp_path / "nope") == []


def test_remove_part_removes_both_files(tmp_path: Path) -> None:
    part = part_path(tmp_path / "a.zip")
    part.write_bytes(b"1")
    write_state(part, STATE)
    remove_part(part)
    remove_part(part)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), DiskFullError),
        (PermissionError(errno.EACCES, "Permission denied"), WritePermissionError),
        (OSError(errno.EROFS, "Read-only file system"), WritePermissionError),
        (OSError(errno.EIO, "Input/output error"), DiskError),
    ],
)
def test_disk_errors_are_typed_and_name_the_file(exc: OSError, kind: type) -> None:
    path = Path("/data/logs/EKRAN-AS02-logs.zip.part")
    error = disk_error(exc, path)
    assert type(error) is kind
    assert error.path == path
    assert "EKRAN-AS02-logs.zip.part" in error.message
