"""A full disk (an injected ENOSPC): audit records are kept and retried, logging never fails."""

from __future__ import annotations

import asyncio
import errno
import io
import json
import logging
import os
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest

from app.actions import ClusterActions
from app.audit import AuditAction, AuditLog, AuditNotWrittenError, AuditResult
from app.logsetup import configure_logging, shutdown_logging
from app.paths import AppPaths

log = logging.getLogger("tests.full_disk")


def no_space(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_an_audit_record_that_cannot_be_written_is_kept_and_written_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    audit.append(connection="c", server="as-01", user="u", action=AuditAction.VERSION,
                 result=AuditResult.OK)  # fmt: skip
    with monkeypatch.context() as disk_full:
        disk_full.setattr("app.connections.appending.write_all", no_space)
        with pytest.raises(AuditNotWrittenError) as raised:
            audit.append(connection="c", server="as-02", user="u", action=AuditAction.ISOLATE,
                         result=AuditResult.OK, detail="first")  # fmt: skip
        assert "No space left on device" in str(raised.value)
        assert str(audit.path) in str(raised.value)
        with pytest.raises(AuditNotWrittenError):
            audit.append(connection="c", server="as-03", user="u", action=AuditAction.RETURN,
                         result=AuditResult.OK, detail="second")  # fmt: skip
        assert [e.server for e in audit.pending] == ["as-02", "as-03"]
        assert audit.retry_pending() == 2
    assert [e.server for e in audit.read()] == ["as-01"]
    assert audit.retry_pending() == 0  # the disk has room again
    assert [e.server for e in audit.read()] == ["as-01", "as-02", "as-03"]
    assert audit.pending == ()


def test_a_line_cut_by_a_full_disk_is_not_glued_to_the_retried_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")

    def half_then_full(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])  # the disk took part of the line
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("app.connections.appending.write_all", half_then_full)
    with pytest.raises(AuditNotWrittenError):
        audit.append(connection="c", server="as-01", user="u", action=AuditAction.ISOLATE,
                     result=AuditResult.OK)  # fmt: skip
    monkeypatch.undo()
    assert audit.retry_pending() == 0
    assert [e.server for e in audit.read()] == ["as-01"]


class _StubClient:
    async def version(self, server_id: str) -> Any:
        return {"version": "1"}


def test_cluster_actions_report_an_unwritten_record_to_listeners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    actions = ClusterActions(
        _StubClient(),  # type: ignore[arg-type]
        connection_name="Prod",
        username="admin",
        audit=audit,
    )
    heard: list[AuditNotWrittenError] = []
    actions.add_audit_listener(heard.append)

    async def scenario() -> int:
        monkeypatch.setattr("app.connections.appending.write_all", no_space)
        await actions.version("as-01")  # the action itself succeeds
        monkeypatch.undo()
        return await actions.retry_audit()

    try:
        assert asyncio.run(scenario()) == 0
    finally:
        actions.close()
    assert len(heard) == 1
    assert heard[0].entry.server == "as-01"
    assert actions.unwritten == (heard[0],)
    assert [e.server for e in audit.read()] == ["as-01"]  # written by the retry


class _FullDiskStream(io.StringIO):
    """A log file on a disk that has just filled up."""

    def write(self, _text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def restore_logging() -> Iterator[None]:
    level = logging.getLogger().level
    yield
    shutdown_logging()
    logging.getLogger().setLevel(level)


def _file_handler() -> RotatingFileHandler:
    return next(h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler))


def _fill_the_disk(handler: RotatingFileHandler) -> None:
    real, handler.stream = handler.stream, _FullDiskStream()
    real.close()


def test_a_full_log_disk_prints_one_notice_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging(AppPaths.under(tmp_path))
    log.info("written")
    _fill_the_disk(_file_handler())
    log.error("first error after the disk filled up")
    log.warning("a warning")
    log.error("second error")
    shutdown_logging()  # closing must not raise either
    err = capsys.readouterr().err
    assert "Logging error" not in err
    assert "Traceback" not in err
    notices = [line for line in err.splitlines() if line.startswith("note: the log file")]
    assert len(notices) == 1
    assert "No space left on device" in notices[0]
    assert "log: ERROR tests.full_disk: first error after the disk filled up" in err
    assert "second error" in err
    assert "a warning" not in err


def test_a_full_log_disk_at_shutdown_does_not_raise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging(AppPaths.under(tmp_path))
    log.info("buffered")
    _fill_the_disk(_file_handler())
    shutdown_logging()
    assert "Traceback" not in capsys.readouterr().err


def test_an_uncreatable_log_folder_is_a_notice_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    configure_logging(AppPaths.under(blocker))
    log.error("still shown", exc_info=ValueError("boom"))
    log.warning("not shown")
    err = capsys.readouterr().err
    assert err.count("note: the log folder") == 1
    assert "still shown" in err
    assert "not shown" not in err
    assert "Traceback" not in err


def test_audit_json_line_is_printable(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    entry = audit.append(connection="c\x1b[31m", server="s", user="u",
                         action=AuditAction.ISOLATE, result=AuditResult.OK)  # fmt: skip
    assert json.loads(entry.to_json_line())["connection"] == "c\x1b[31m"
