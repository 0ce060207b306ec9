"""Downloaded archives are readable by their owner only."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from app.downloads.partfile import part_path, reserve_part

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="POSIX file modes; Windows files inherit the folder's ACL"
)


def test_a_reserved_download_is_owner_only(tmp_path: Path) -> None:
    final = reserve_part(tmp_path, "as-01_logs.zip")
    assert stat.S_IMODE(part_path(final).stat().st_mode) == 0o600
