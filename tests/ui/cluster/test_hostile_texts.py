"""The window's table and dialogs show what a hostile server chose as harmless text."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.api.models import Isolation, ServerStatus
from app.text_safety import is_unsafe
from tests.ui.cluster.support import NOW, FakeClock, server, snapshot
from ui.cluster.columns import Column, ServerRole
from ui.cluster.server_table_model import ServerTableModel
from ui.dialogs.isolate_dialog import IsolateDialog

HOSTILE = "ctl\x1b[31mRED\x1b[0m\r\nFAKE line\x07"
SHOWN = "ctl\\x1b[31mRED\\x1b[0m\\r\\nFAKE line\\x07"
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def hostile_model() -> ServerTableModel:
    model = ServerTableModel(clock=FakeClock())
    isolation = Isolation(since=NOW - timedelta(minutes=1), by="ad\u202emin", reason="<b>x</b>")
    model.apply_snapshot(
        snapshot(
            [
                server(1, name=HOSTILE, version="9.9\x1b]0;pwned\x07"),
                server(2, name="N" * 10_000, address="10.0.0.2\u202e"),
                server(
                    3, name="<b>x</b>", status=ServerStatus.ISOLATED, clients=0, isolation=isolation
                ),
            ]
        )
    )
    return model


def texts(model: ServerTableModel, role: int) -> list[str]:
    found = []
    for row in range(model.rowCount()):
        for column in Column:
            value = model.data(model.index(row, column), role)
            if isinstance(value, str):
                found.append(value)
    return found


def test_no_cell_or_tooltip_carries_a_raw_control_or_bidi_character() -> None:
    model = hostile_model()
    for text in texts(model, DISPLAY) + texts(model, TOOLTIP):
        assert [hex(ord(ch)) for ch in text if is_unsafe(ch) and ch != "\n"] == []


def test_the_name_cell_shows_escapes_and_the_tooltip_the_whole_name() -> None:
    model = hostile_model()
    assert model.data(model.index(0, Column.NAME), DISPLAY) == SHOWN
    long_cell = model.data(model.index(1, Column.NAME), DISPLAY)
    assert len(long_cell) <= 80
    assert long_cell.endswith("…")
    assert ("N" * 10_000) in model.data(model.index(1, Column.NAME), TOOLTIP)
    assert model.data(model.index(0, Column.VERSION), DISPLAY) == "9.9\\x1b]0;pwned\\x07"


def test_the_model_still_hands_the_real_server_to_actions() -> None:
    model = hostile_model()
    assert model.data(model.index(0, Column.NAME), ServerRole.SERVER).name == HOSTILE


def test_markup_in_a_tooltip_is_shown_as_text() -> None:
    """Qt renders a tooltip as rich text when its first line looks like markup."""
    model = hostile_model()
    tooltip = model.data(model.index(2, Column.NAME), TOOLTIP)
    assert "<b>x</b>" not in tooltip
    assert "&lt;b&gt;x&lt;/b&gt;" in tooltip
    assert "ad\\u202emin" in model.data(model.index(2, Column.ISOLATION), TOOLTIP)


def test_the_isolate_dialog_shows_the_escaped_name(qtbot: QtBot) -> None:
    hostile = server(1, name="<img src=x>" + HOSTILE)
    dialog = IsolateDialog([hostile], [hostile.id])
    qtbot.addWidget(dialog)
    assert "\x1b" not in dialog.windowTitle()
    assert "<img" not in dialog.summary_label.text()
    assert "&lt;img src=x&gt;" + SHOWN in dialog.summary_label.text()
    assert dialog.confirmation_text == "<img src=x>" + SHOWN
