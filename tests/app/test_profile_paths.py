"""Everything the console keeps on disk, under a home folder a Windows user may have:
a non-ASCII user name in the profile path, and a path over the old 260-character limit.

Saved connections (with their lock file), the audit trail (with its lock), the history
database (SQLite), the log file and a finished download all work there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.audit import AuditAction, AuditLog, AuditResult
from app.connections.model import ConnectionProfile
from app.connections.store import ConnectionStore
from app.downloads.finishing import move_into_place
from app.history import HistoryStore
from app.history.database import HISTORY_FILE
from app.logsetup import configure_logging, shutdown_logging
from app.paths import AppPaths
from tests.app.history.snapshots import T0, cluster

USER_NAME = "J\u00fcrgen \u00d8sterg\u00e5rd \u5c71\u7530 \u0410\u043d\u043d\u0430"
LEGACY_MAX_PATH = 260


def long_home(base: Path) -> Path:
    """A home folder whose files' paths are longer than 260 characters."""
    home = base / USER_NAME
    part = "AppData Roaming Ekran System Cluster Console " * 2
    while len(str(home)) <= LEGACY_MAX_PATH:
        home = home / part.strip()
    return home


@pytest.fixture(params=["non-ascii-user", "over-260-characters"])
def paths(request: pytest.FixtureRequest, tmp_path: Path) -> AppPaths:
    home = tmp_path / "Users" / USER_NAME / "AppData"
    if request.param == "over-260-characters":
        home = long_home(tmp_path)
        try:
            home.mkdir(parents=True)
        except OSError as error:
            pytest.skip(f"this system refuses paths over 260 characters ({error})")
    return AppPaths.under(home).ensure()


@pytest.fixture
def logging_to(paths: AppPaths) -> Iterator[Path]:
    log_file = configure_logging(paths)
    yield log_file
    shutdown_logging()


def test_saved_connections_round_trip(paths: AppPaths) -> None:
    store = ConnectionStore(paths)
    profile = ConnectionProfile(name=f"Prod {USER_NAME}", urls=["mt.example"], username="admin")
    saved = store.add(profile)
    loaded = ConnectionStore(paths).load()
    assert [p.id for p in loaded.profiles] == [saved.id]
    assert loaded.profiles[0].name == f"Prod {USER_NAME}"


def test_audit_trail_appends_under_its_lock(paths: AppPaths) -> None:
    audit = AuditLog.in_data_dir(paths)
    for server in ("as-01", "as-02"):
        audit.append(
            connection="Prod",
            server=server,
            user=USER_NAME,
            action=AuditAction.ISOLATE,
            result=AuditResult.OK,
            detail="",
        )
    assert [entry.server for entry in audit.read()] == ["as-01", "as-02"]
    assert audit.read()[0].user == USER_NAME


def test_history_database_is_saved_and_read_back(paths: AppPaths) -> None:
    path = paths.data_dir / HISTORY_FILE
    store, notice = HistoryStore.open(path, clock=lambda: T0)
    assert notice is None
    store.record("conn", cluster([7]), T0)
    store.close()
    again, notice = HistoryStore.open(path, clock=lambda: T0)
    assert notice is None
    assert again.series("conn", "as-01", T0, T0).y.tolist() == [7]
    again.close()


def test_log_file_is_written(paths: AppPaths, logging_to: Path) -> None:
    logging.getLogger("app.test").warning("user %s", USER_NAME)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert USER_NAME in logging_to.read_text(encoding="utf-8")


def test_a_finished_download_moves_into_place(paths: AppPaths) -> None:
    part = paths.cache_dir / f"{USER_NAME}.zip.part"
    part.write_bytes(b"archive")
    final = move_into_place(part, paths.cache_dir, f"{USER_NAME}.zip")
    assert final.read_bytes() == b"archive"
    assert os.path.basename(final) == f"{USER_NAME}.zip"
