"""Read-only and missing folders: reading works, writing fails with one line naming the folder."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.connections import ConnectionStore
from app.connections.errors import ReadOnlyFolderError
from app.paths import HOME_ENV_VAR, AppPaths
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import SimulatorProcess


class _ReadOnlyFolderLock:
    """The lock file cannot be created: what a read-only configuration folder does."""

    def __init__(self, path: Path, **_kwargs: Any) -> None:
        self.path = path

    def acquire(self) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self.path))

    def release(self) -> None:  # pragma: no cover - never acquired
        pass


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV_VAR, str(folder))
    monkeypatch.delenv("EKRAN_CONSOLE_PASSWORD", raising=False)
    return folder


def make_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.connections.store.InterProcessLock", _ReadOnlyFolderLock)


def test_a_read_only_config_still_loads_and_refuses_changes(
    home: Path, simulator: SimulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConnectionStore(AppPaths.default())
    profile = store.add(simulator_profile(simulator, name="Prod"))
    make_read_only(monkeypatch)
    result = store.load()
    assert [p.id for p in result.profiles] == [profile.id]
    assert not result.can_save
    with pytest.raises(ReadOnlyFolderError) as refused:
        store.remove(profile.id)
    assert str(AppPaths.default().config_dir) in str(refused.value)


def test_read_only_commands_work_from_a_read_only_config(
    home: Path,
    simulator: SimulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ConnectionStore(AppPaths.default()).add(simulator_profile(simulator, name="Prod"))
    make_read_only(monkeypatch)
    assert main(["connections", "list"]) == 0
    assert "Prod" in capsys.readouterr().out
    monkeypatch.setenv("EKRAN_CONSOLE_PASSWORD", simulator.info.password)
    assert main(["servers", "-c", "Prod"]) == 0
    assert "EKRAN-AS01" in capsys.readouterr().out


def test_a_change_in_a_read_only_config_is_one_line_naming_the_folder(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_read_only(monkeypatch)
    code = main(["connections", "add", "X", "--url", "mt.corp.example", "--user", "admin"])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert str(AppPaths.default().config_dir) in err
    assert "Traceback" not in err


def test_an_uncreatable_home_gives_messages_not_tracebacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(HOME_ENV_VAR, str(blocker / "home"))
    assert main(["connections", "list"]) == 0  # nothing saved, nothing to write
    captured = capsys.readouterr()
    assert "No connections." in captured.out
    assert "Traceback" not in captured.err
    assert "Logging error" not in captured.err
    code = main(["connections", "add", "X", "--url", "mt.corp.example", "--user", "admin"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert "error: " in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX folder modes")
@pytest.mark.skipif(
    sys.platform != "win32" and os.geteuid() == 0, reason="root ignores folder modes"
)
def test_a_chmod_read_only_home(
    home: Path, simulator: SimulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = AppPaths.default()
    ConnectionStore(paths).add(simulator_profile(simulator, name="Prod"))
    (paths.config_dir / "connections.json.lock").unlink()
    for folder in (paths.config_dir, home):
        folder.chmod(0o500)
    try:
        assert main(["connections", "list"]) == 0
        assert "Prod" in capsys.readouterr().out
    finally:
        for folder in (home, paths.config_dir):
            folder.chmod(0o700)
