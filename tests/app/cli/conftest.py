"""Fixtures of the command line's tests: the CLI run in-process (see ``inprocess``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.cli.inprocess import InProcessCli
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.documented_simulator import closed_url, documented  # noqa: F401 (fixtures)


@pytest.fixture
def console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> InProcessCli:
    """The command line with an in-memory keyring."""
    return InProcessCli(tmp_path / "home", monkeypatch, capsys, keyring=MemoryKeyring())


@pytest.fixture
def console_without_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> InProcessCli:
    """The command line on a machine without a usable keyring."""
    return InProcessCli(tmp_path / "home", monkeypatch, capsys, keyring=None)
