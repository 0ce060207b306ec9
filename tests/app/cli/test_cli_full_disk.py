"""The command line on a full disk (an injected ENOSPC): results stay true, nothing is lost."""

from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.audit import AuditLog
from app.cli.exitcodes import ExitCode
from app.cli.main import main
from app.connections import ConnectionStore, appending
from app.paths import HOME_ENV_VAR, AppPaths
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import SimulatorProcess


class _FullDiskStream(io.StringIO):
    def write(self, _text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def no_space(*_args: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def prod(tmp_path: Path, simulator: SimulatorProcess, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path / "home"))
    monkeypatch.setenv("EKRAN_CONSOLE_PASSWORD", simulator.info.password)
    paths = AppPaths.default()
    ConnectionStore(paths).add(simulator_profile(simulator, name="Prod"))
    return paths


def test_a_full_log_disk_does_not_turn_success_into_failure(
    prod: AppPaths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "app.logsetup._TolerantRotatingFileHandler._open", lambda _self: _FullDiskStream()
    )
    assert main(["isolate", "as-01", "-c", "Prod", "--reason", "updates"]) == ExitCode.OK
    captured = capsys.readouterr()
    assert "is isolated" in captured.out
    assert "Logging error" not in captured.err
    assert "Traceback" not in captured.err
    assert captured.err.count("note: the log file") == 1


def test_an_unwritten_audit_record_is_said_printed_and_exits_6(
    prod: AppPaths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("app.connections.appending.write_all", no_space)
    code = main(["isolate", "as-02", "-c", "Prod"])
    captured = capsys.readouterr()
    assert code == ExitCode.AUDIT_NOT_WRITTEN == 6
    assert "is isolated" in captured.out  # the action itself was done
    assert "audit record could not be written" in captured.err
    assert "No space left on device" in captured.err
    records = [
        json.loads(line.removeprefix("audit record: "))
        for line in captured.err.splitlines()
        if line.startswith("audit record: ")
    ]
    assert [(r["server"], r["action"], r["result"]) for r in records] == [
        ("as-02", "isolate", "ok")
    ]
    assert AuditLog.in_data_dir(prod).read() == []


def test_an_audit_record_written_on_the_retry_is_not_an_error(
    prod: AppPaths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = appending.write_all
    calls: list[int] = []

    def full_once(fd: int, data: bytes) -> None:
        calls.append(fd)
        if len(calls) == 1:
            no_space()
        real(fd, data)

    monkeypatch.setattr("app.connections.appending.write_all", full_once)
    assert main(["version", "as-01", "-c", "Prod"]) == ExitCode.OK
    assert "warning" not in capsys.readouterr().err
    assert [e.server for e in AuditLog.in_data_dir(prod).read()] == ["as-01"]
