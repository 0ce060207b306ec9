"""The window's garbage-collection freezes (``ui.app``): what start-up and the first
connection allocated is left out of every later full collection."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from tests.helpers.simulator_process import ROOT
from ui.app import freeze_after_first_snapshot


class Pane(QObject):
    snapshot_shown = Signal(object)


def test_the_second_freeze_runs_once_after_the_first_snapshot_shown(qtbot: QtBot) -> None:
    pane = Pane()
    freezes: list[int] = []
    freeze_after_first_snapshot(pane.snapshot_shown, delay_ms=0, freeze=lambda: freezes.append(1))
    qtbot.wait(10)
    assert freezes == []  # nothing shown yet

    pane.snapshot_shown.emit(object())
    qtbot.waitUntil(lambda: freezes == [1])
    pane.snapshot_shown.emit(object())
    pane.snapshot_shown.emit(object())
    qtbot.wait(20)
    assert freezes == [1]


@pytest.mark.parametrize("freeze", ["freeze_startup_objects", "freeze_opened_objects"])
def test_a_freeze_drops_the_cached_source_lines_and_leaves_nothing_to_scan(freeze: str) -> None:
    # In a process of its own: a freeze lasts for the life of the process.
    code = (
        "import gc, json, linecache, ui.app, ui.main_window; "
        "lines = len(linecache.getlines(ui.main_window.__file__)); "
        "cached = len(linecache.cache); "
        f"ui.app.{freeze}(); "
        "print(json.dumps([lines, cached, len(linecache.cache), gc.get_freeze_count(), "
        "len(gc.get_objects())]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines, cached, cached_after, frozen, tracked = json.loads(done.stdout.splitlines()[-1])
    assert lines > 100
    assert cached >= 1
    assert cached_after == 0
    assert frozen > 10_000  # the modules, Qt bindings and validators loaded so far
    assert tracked < 100  # what a full collection still visits
