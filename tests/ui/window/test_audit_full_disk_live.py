"""The window when an action's audit record cannot be written (an injected ENOSPC)."""

from __future__ import annotations

import errno
import os

import pytest

from app.audit import AuditResult
from tests.conftest import StartSimulator
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, close_window, status_text
from tests.ui.window.live_helpers import FROZEN, connected_window, context_menu, select, trigger


def no_space(_fd: int, _data: bytes) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


async def test_an_unwritten_audit_record_is_said_and_written_later(
    make_window: MakeWindow, start_simulator: StartSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "60", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    audit = window.services.audit
    window.sessions._audit_retry.setInterval(200)  # every 30 s in use; sooner here
    monkeypatch.setattr("app.connections.appending.write_all", no_space)

    select(window, "as-02")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    dialog.ok_button.click()
    await wait_until(lambda: (status_text(window, "as-02") or "").startswith("Isolated"))
    await wait_until(
        lambda: any("audit record could not be written" in n.message for n in window.status.notices)
    )
    notice = next(n for n in window.status.notices if "audit record" in n.message)
    assert "No space left on device" in notice.message
    assert [e.server for e in audit.pending] == ["as-02"]
    assert audit.read() == []

    monkeypatch.undo()  # the disk has room again
    await wait_until(lambda: not audit.pending)
    entries = audit.read()
    assert [(e.server, e.result) for e in entries] == [("as-02", AuditResult.OK)]
    await wait_until(lambda: any("were written" in n.message for n in window.status.notices))
    await close_window(window)
