"""A Downloads panel wired to a real simulator session, for the panel's async tests."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QTableView

from app.api.settings import TrustMode
from app.audit import AuditLog
from app.connections import ConnectionProfile, TlsOptions
from app.session import ConnectionSession
from tests.helpers.simulator_process import SimulatorProcess
from ui.downloads import DownloadColumn, DownloadItem, DownloadsPanel
from ui.tasks import TaskRunner

CONNECTION_NAME = "Cluster A"


@dataclass
class Workspace:
    sim: SimulatorProcess
    runner: TaskRunner
    panel: DownloadsPanel
    session: ConnectionSession
    audit: AuditLog

    def text(self, item: DownloadItem, column: DownloadColumn) -> str:
        return str(self.panel.model.data(self.index(item, column)))

    def index(self, item: DownloadItem, column: DownloadColumn) -> QModelIndex:
        row = self.panel.model.row_of(item)
        assert row is not None, "the item is listed"
        return self.panel.model.index(row, column)

    def select(self, item: DownloadItem) -> None:
        view = self.panel.findChild(QTableView, "downloadsTable")
        assert view is not None
        row = self.panel.model.row_of(item)
        assert row is not None
        view.selectRow(row)

    def audit_trail(self) -> list[tuple[str, str, str, str]]:
        return [(e.connection, e.server, e.action.value, e.result.value) for e in self.audit.read()]


def open_session(
    sim: SimulatorProcess, audit: AuditLog, profile_id: str | None = None
) -> ConnectionSession:
    """A session on every endpoint of ``sim``, trusting its CA (not started: no polling)."""
    extra = {"id": profile_id} if profile_id is not None else {}
    profile = ConnectionProfile(
        name=CONNECTION_NAME,
        urls=tuple(endpoint.url for endpoint in sim.info.endpoints),
        username=sim.info.username,
        tls=TlsOptions(mode=TrustMode.CA_FILE, ca_file=str(sim.info.ca_file)),
        **extra,
    )
    password = sim.info.password

    async def source() -> str:
        return password

    return ConnectionSession(profile, source, audit=audit)


@asynccontextmanager
async def workspace(sim: SimulatorProcess, tmp_path: Path) -> AsyncIterator[Workspace]:
    """A panel and an open session; at the end the panel, runner and session are closed."""
    audit = AuditLog(tmp_path / "data" / "audit.jsonl")
    runner = TaskRunner()
    panel = DownloadsPanel(runner)
    session = open_session(sim, audit)
    try:
        yield Workspace(sim, runner, panel, session, audit)
    finally:
        await panel.shutdown()
        await runner.shutdown()
        await session.aclose()
        panel.close()
        panel.deleteLater()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_valid_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()
        assert archive.testzip() is None


def file_size(path: Path) -> int:
    return path.stat().st_size


def part_files(folder: Path) -> list[Path]:
    """The partial downloads (``.part``) in ``folder``."""
    return sorted(folder.glob("*.part"))


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())
