"""The audit trail: JSON lines, damage tolerance, rotation, two writers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.audit import AuditAction, AuditLog, AuditResult
from app.paths import HOME_ENV_VAR, AppPaths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path / "home"))
    return AppPaths.default()


@pytest.fixture
def audit(paths: AppPaths) -> AuditLog:
    return AuditLog.in_data_dir(paths)


def record(audit: AuditLog, server: str = "mt01", detail: str = "") -> None:
    audit.append(
        connection="Acme production",
        server=server,
        user="admin",
        action=AuditAction.ISOLATE,
        result=AuditResult.OK,
        detail=detail,
    )


def test_lives_in_the_data_folder(audit: AuditLog, paths: AppPaths) -> None:
    assert audit.path == paths.data_dir / "audit.jsonl"


def test_each_action_is_one_json_line(audit: AuditLog) -> None:
    before = datetime.now(UTC)
    entry = audit.append(
        connection="Acme",
        server="mt02",
        user="operator",
        action=AuditAction.RETURN,
        result=AuditResult.CANCELLED,
        detail="Cancelled by the user",
    )
    [line] = audit.path.read_text(encoding="utf-8").splitlines()
    data = json.loads(line)
    assert data == {
        "ts": data["ts"],
        "connection": "Acme",
        "server": "mt02",
        "user": "operator",
        "action": "return",
        "result": "cancelled",
        "detail": "Cancelled by the user",
    }
    assert data["ts"].endswith("Z")
    stamp = datetime.fromisoformat(data["ts"])
    assert before - timedelta(seconds=1) <= stamp <= datetime.now(UTC) + timedelta(seconds=1)
    assert audit.read() == [entry]


def test_read_returns_the_newest_entries_oldest_first(audit: AuditLog) -> None:
    for n in range(5):
        record(audit, server=f"mt{n}")
    assert [e.server for e in audit.read(limit=3)] == ["mt2", "mt3", "mt4"]
    assert audit.read(limit=0) == []


def test_reading_a_missing_trail_gives_nothing(audit: AuditLog) -> None:
    assert audit.read() == []


def test_damaged_lines_are_skipped_and_later_entries_still_count(audit: AuditLog) -> None:
    record(audit, server="before")
    with audit.path.open("ab") as stream:
        stream.write(b'{"ts": "2025-01-01T00:00:00.000Z", "connection": "Ac')  # cut short
    assert [e.server for e in audit.read()] == ["before"]
    record(audit, server="after")
    assert [e.server for e in audit.read()] == ["before", "after"]


def test_foreign_lines_are_skipped(audit: AuditLog) -> None:
    audit.path.parent.mkdir(parents=True)
    audit.path.write_text('[1]\n{"ts": "x"}\n\n{"action": "dance"}\n', encoding="utf-8")
    record(audit)
    assert len(audit.read()) == 1


def test_details_are_masked(audit: AuditLog) -> None:
    record(audit, detail='HTTP 500: {"password": "hunter2"} Authorization: Bearer abc')
    content = audit.path.read_text(encoding="utf-8")
    assert "hunter2" not in content
    assert "Bearer abc" not in content


def test_rotation_keeps_one_old_file(paths: AppPaths) -> None:
    audit = AuditLog(paths.data_dir / "audit.jsonl", max_bytes=2000)
    for n in range(60):
        record(audit, server=f"mt{n}")
    assert audit.rotated_path.exists()
    assert sorted(p.name for p in audit.path.parent.glob("audit.jsonl*")) == [
        "audit.jsonl",
        "audit.jsonl.1",
        "audit.jsonl.lock",
    ]
    assert audit.path.stat().st_size < 2000 + 300
    newest = audit.read(limit=1000)
    assert newest[-1].server == "mt59"
    servers = [int(e.server[2:]) for e in newest]
    assert servers == list(range(servers[0], 60))  # contiguous across both files
    assert len(newest) > len(audit.path.read_text().splitlines())


def test_two_processes_append_at_once(audit: AuditLog, tmp_path: Path) -> None:
    go = tmp_path / "go"
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from app.audit import AuditAction, AuditLog, AuditResult\n"
        "audit = AuditLog(Path(sys.argv[1]))\n"
        "deadline = time.monotonic() + 60\n"
        "while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:\n"
        "    time.sleep(0.005)\n"
        "for n in range(100):\n"
        "    audit.append(connection='c', server=f'{sys.argv[3]}{n}', user='u',\n"
        "                 action=AuditAction.VERSION, result=AuditResult.OK, detail='d' * 300)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(audit.path), str(go), tag], cwd=ROOT, env=env
        )
        for tag in "AB"
    ]
    go.touch()
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    lines = audit.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200
    assert {json.loads(line)["server"] for line in lines} == {
        f"{tag}{n}" for tag in "AB" for n in range(100)
    }
