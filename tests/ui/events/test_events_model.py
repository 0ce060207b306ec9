"""EventsTableModel and its filter: consistent (qtmodeltester), newest first, safe texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from app.alerts import Severity
from app.events import EventRecord, EventSource
from ui.events.events_filter import EventsFilterProxy
from ui.events.events_model import EventColumn, EventRole, EventsTableModel

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def record(
    minutes: int,
    *,
    severity: Severity = Severity.INFO,
    connection: str = "Production",
    servers: tuple[str, ...] = ("EKRAN-AS01",),
    title: str = "EKRAN-AS01 was isolated",
    source: EventSource = EventSource.CLUSTER,
    user: str = "",
) -> EventRecord:
    return EventRecord(
        ts=T0 + timedelta(minutes=minutes),
        source=source,
        severity=severity,
        kind="isolated",
        connection_id="c1",
        connection=connection,
        servers=servers,
        title=title,
        text="Reason: updates",
        user=user,
    )


def test_the_model_is_consistent_through_loads_adds_and_trims(qtmodeltester: ModelTester) -> None:
    model = EventsTableModel(max_rows=5)
    qtmodeltester.check(model, force_py=True)
    model.set_records([record(1), record(3), record(2)])
    model.add([record(4), record(5)])
    model.add([record(6)])  # the oldest goes: at most 5 rows
    assert [r.ts.minute for r in model.records()] == [6, 5, 4, 3, 2]
    model.drop_older_than(T0 + timedelta(minutes=4))
    assert [r.ts.minute for r in model.records()] == [6, 5, 4]


def test_a_record_that_arrives_after_newer_ones_goes_in_its_place(
    qtmodeltester: ModelTester,
) -> None:
    model = EventsTableModel()
    qtmodeltester.check(model, force_py=True)
    model.set_records([record(1), record(5)])
    model.add([record(7), record(3)])  # 3 came late, with 7
    model.add([record(6)])  # late: the poll that saw an action's effect came first

    assert [r.ts.minute for r in model.records()] == [7, 6, 5, 3, 1]


def test_the_filter_proxy_is_consistent(qtmodeltester: ModelTester) -> None:
    model = EventsTableModel()
    proxy = EventsFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    model.set_records([record(1), record(2, severity=Severity.CRITICAL, connection="Lab")])
    proxy.set_connection("Lab")
    model.add([record(3, connection="Lab"), record(4)])
    proxy.set_minimum(Severity.WARNING)
    proxy.set_server("as")
    assert proxy.rowCount() == 1


def test_rows_are_newest_first_and_filters_combine() -> None:
    model = EventsTableModel()
    proxy = EventsFilterProxy()
    proxy.setSourceModel(model)
    model.set_records(
        [
            record(1, servers=("EKRAN-AS01",)),
            record(2, severity=Severity.WARNING, servers=("EKRAN-AS02", "EKRAN-AS03")),
            record(3, severity=Severity.CRITICAL, connection="Lab", servers=()),
        ]
    )

    def minutes() -> list[int]:
        return [proxy.index(r, 0).data(EventRole.RECORD).ts.minute for r in range(proxy.rowCount())]

    assert minutes() == [3, 2, 1]
    proxy.set_server("as03")
    assert minutes() == [2]
    proxy.set_server("")
    proxy.set_minimum(Severity.WARNING)
    assert minutes() == [3, 2]
    proxy.set_connection("Production")
    assert minutes() == [2]
    proxy.set_minimum(Severity.INFO)
    assert minutes() == [2, 1]
    proxy.sort(EventColumn.TIME, Qt.SortOrder.AscendingOrder)
    assert minutes() == [1, 2]


def test_server_texts_are_made_safe_and_whole_in_the_tooltip() -> None:
    model = EventsTableModel()
    hostile = "EKRAN\x1b[31m-AS01\u202e" + "x" * 300
    model.set_records([record(1, servers=(hostile,), title=hostile, connection=hostile)])
    for column in (EventColumn.SERVER, EventColumn.EVENT, EventColumn.CONNECTION):
        shown = str(model.index(0, column).data())
        tip = str(model.index(0, column).data(Qt.ItemDataRole.ToolTipRole))
        assert "\x1b" not in shown
        assert "\u202e" not in shown
        assert shown.startswith("EKRAN\\x1b[31m-AS01\\u202e")
        assert len(shown) <= 200
        assert shown.endswith("…")
        assert tip.endswith("x" * 300)
        assert "\x1b" not in tip


def test_an_action_says_by_whom_and_each_severity_has_an_icon() -> None:
    model = EventsTableModel()
    model.set_records(
        [
            record(1, source=EventSource.ACTION, title="Isolate EKRAN-AS01: ok", user="admin"),
            record(2, severity=Severity.CRITICAL),
        ]
    )
    assert model.index(1, EventColumn.EVENT).data() == "Isolate EKRAN-AS01: ok (by you, as admin)"
    assert model.index(0, EventColumn.SEVERITY).data() == "Critical"
    assert not model.index(0, EventColumn.SEVERITY).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert model.headerData(EventColumn.DETAIL, Qt.Orientation.Horizontal) == "Detail"
