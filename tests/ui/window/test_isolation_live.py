"""Isolation from the window against the simulator: pending rows, draining, the last-server guard.

The simulator runs with time frozen (``--time-scale 0``): the cluster moves only when a
test calls ``/advance``, so every state the table shows is deterministic.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication

from app.api.models import ServerStatus
from tests.conftest import StartSimulator
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, cell_text, close_window, status_text
from tests.ui.window.live_helpers import (
    FROZEN,
    connected_window,
    context_menu,
    select,
    sim_server,
    trigger,
)
from ui.cluster.columns import Column


async def test_isolate_from_the_context_menu_shows_pending_then_draining(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "4", "--clients", "200", *FROZEN)
    window = await connected_window(make_window, sim, 4)
    server = window.cluster_pane.model.server(window.cluster_pane.model.row_of("as-02") or 0)
    assert server.id == "as-02"
    assert server.clients > 0
    # Hold the isolation request for a moment so that the pending row can be observed.
    await asyncio.to_thread(sim.add_fault, kind="latency", seconds=1.5, path="/isolation")

    select(window, "as-02")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    assert QApplication.activeModalWidget() is dialog
    assert dialog.isolate_ids == ["as-02"]
    assert {s.id for s, _ in dialog.impact.after} == {"as-01", "as-03", "as-04"}
    assert dialog.ok_button.isEnabled()
    dialog.reason_edit.setText("Windows updates")
    dialog.ok_button.click()

    await wait_until(lambda: status_text(window, "as-02") == "Isolating…")
    assert not any("isolated" in n.message for n in window.status.notices)
    await wait_until(lambda: status_text(window, "as-02") != "Isolating…")
    isolated = window.cluster_pane.model.server(window.cluster_pane.model.row_of("as-02") or 0)
    assert isolated.status is ServerStatus.ISOLATED
    assert status_text(window, "as-02") == f"Isolated, {isolated.clients} Clients still connected"
    assert (cell_text(window, "as-02", Column.ISOLATION) or "").startswith("Windows updates")
    assert window.status.notices[-1].message.startswith("EKRAN-AS02 is isolated")
    assert sim_server(sim, "as-02")["isolation"] is not None

    await asyncio.to_thread(sim.control, "POST", "advance", {"seconds": 31})
    await wait_until(lambda: status_text(window, "as-02") == "Isolated")
    await close_window(window)


async def test_return_to_service_needs_no_confirmation(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "90", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    select(window, "as-03")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    dialog.ok_button.click()
    await wait_until(lambda: (status_text(window, "as-03") or "").startswith("Isolated"))

    trigger(context_menu(window), "actionReturnToService")
    assert QApplication.activeModalWidget() is None
    await wait_until(lambda: status_text(window, "as-03") == "Online")
    assert window.status.notices[-1].message == "EKRAN-AS03 is back in service."
    await close_window(window)


async def test_isolating_the_last_server_in_service_needs_its_name(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "90", *FROZEN)
    window = await connected_window(make_window, sim, 3)

    select(window, "as-01", "as-02")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    first = window.operations.isolate_dialog
    assert first is not None
    assert sorted(first.isolate_ids) == ["as-01", "as-02"]
    assert not first.impact.leaves_none_serving
    assert not first.confirm_edit.isVisible()
    first.ok_button.click()
    await wait_until(
        lambda: all(
            (status_text(window, i) or "").startswith("Isolated") for i in ("as-01", "as-02")
        )
    )

    select(window, "as-03")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    guard = window.operations.isolate_dialog
    assert guard is not None
    assert guard.impact.leaves_none_serving
    assert guard.findChild(type(guard.confirm_edit), "isolateConfirmName").isVisible()
    assert guard.confirmation_text == "EKRAN-AS03"
    assert not guard.ok_button.isEnabled()
    guard.confirm_edit.setText("EKRAN-AS01")  # another server's name does not count
    assert not guard.ok_button.isEnabled()
    guard.confirm_edit.setText("EKRAN-AS03")
    assert guard.ok_button.isEnabled()
    assert guard.force()
    guard.ok_button.click()

    await wait_until(lambda: (status_text(window, "as-03") or "").startswith("Isolated"))
    assert sim_server(sim, "as-03")["status"] == "isolated"  # forced: the server accepted it
    await close_window(window)


async def test_a_refused_isolation_clears_the_pending_row_and_says_why(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "90", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    await asyncio.to_thread(sim.add_fault, kind="fail", status=409, path="/isolation")

    select(window, "as-02")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    dialog.ok_button.click()

    await wait_until(lambda: any("was not isolated" in n.message for n in window.status.notices))
    assert status_text(window, "as-02") == "Online"
    assert window.status.message_label.text().startswith("EKRAN-AS02 was not isolated: ")
    assert window.status.details_link.isVisible()
    assert QApplication.activeModalWidget() is None  # no modal storm
    details = window.status.open_details()
    assert details.detail.toPlainText().startswith("EKRAN-AS02 was not isolated")
    details.close()
    await close_window(window)


async def test_the_isolate_dialog_counts_clients_still_draining_from_an_earlier_isolation(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    # No churn and frozen time: every Client still to move can be counted exactly.
    sim = start_simulator("--servers", "4", "--clients", "200", "--time-scale", "0", "--churn", "0")
    window = await connected_window(make_window, sim, 4)
    select(window, "as-02")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    dialog.ok_button.click()
    await wait_until(lambda: (status_text(window, "as-02") or "").startswith("Isolated"))
    await asyncio.to_thread(sim.advance, 12)  # 5 of its 50 Clients have moved
    await wait_until(lambda: status_text(window, "as-02") == "Isolated, 45 Clients still connected")
    assert [cell_text(window, i, Column.CLIENTS) for i in ("as-01", "as-03", "as-04")] == [
        "52",
        "52",
        "51",
    ]

    select(window, "as-01", "as-03")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    assert dialog.impact_rows() == [["EKRAN-AS04", "51", "200"]]  # not 51 + 104 = 155
    summary = dialog.summary_label.text()
    assert "149 Clients move to the servers that stay in service" in summary
    assert "104 Clients on EKRAN-AS01 and EKRAN-AS03, and 45 still leaving EKRAN-AS02" in summary
    assert dialog.warning_texts() == [
        "Only EKRAN-AS04 would stay in service: it would carry 200 Clients, with no other "
        "server to take them if it fails."
    ]
    dialog.ok_button.click()
    await wait_until(
        lambda: all(
            (status_text(window, i) or "").startswith("Isolated") for i in ("as-01", "as-03")
        )
    )
    await asyncio.to_thread(sim.advance, 121)
    await wait_until(lambda: cell_text(window, "as-04", Column.CLIENTS) == "200")
    assert sim_server(sim, "as-04")["clients"] == 200  # where the projection said
    await close_window(window)
