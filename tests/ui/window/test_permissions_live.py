"""Permissions up front: a viewer account's Isolate and Return are disabled with the
reason before any click, and a refusal is shown whole, against the simulator."""

from __future__ import annotations

import asyncio

from app.monitor import ConnectionState
from tests.conftest import StartSimulator
from tests.helpers.profiles import simulator_profile
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import (
    MakeWindow,
    close_window,
    open_transient,
    status_text,
    wait_for_health_round,
    wait_for_rows,
)
from tests.ui.window.live_helpers import FROZEN, connected_window, context_menu, select, trigger
from ui.window.action_rules import ActionId


async def test_a_viewer_sees_isolate_and_return_disabled_with_the_reason(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "90", *FROZEN)
    viewer, password = sim.info.raw["viewer_username"], sim.info.raw["viewer_password"]
    window = make_window()
    open_transient(window, simulator_profile(sim, username=viewer), password)
    await wait_for_rows(window, 3)
    current = window.sessions.current
    assert current is not None
    await wait_until(lambda: current.status.state is ConnectionState.CONNECTED)
    await wait_for_health_round(window)

    select(window, "as-02")
    menu = context_menu(window)
    for action_id in (ActionId.ISOLATE, ActionId.RETURN_TO_SERVICE):
        action = next(a for a in menu.actions() if a.objectName() == action_id.value)
        assert action.isVisible()
        assert not action.isEnabled()
        assert action.statusTip() == (
            "The account viewer may view this cluster but not isolate servers or return "
            "them to service (it lacks the permission to manage Application Servers)."
        )
        assert action.toolTip().endswith(action.statusTip())
    menu.close()
    version = window.server_actions.action(ActionId.CHECK_VERSION)
    assert version.isEnabled()  # reading stays allowed
    paths = [str(r["path"]) for r in sim.control("GET", "requests?limit=500")]
    assert any(path.endswith("/api/v1/cluster") for path in paths)
    assert not any(path.endswith("/isolation") for path in paths)  # nothing was tried
    await close_window(window)


async def test_a_refusal_is_shown_whole(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "90", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    # A Management Tool that refuses this account although its login said it may.
    await asyncio.to_thread(sim.add_fault, kind="fail", status=403, path="/isolation")
    select(window, "as-02")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    dialog.ok_button.click()

    await wait_until(lambda: window.operations.refusal_box is not None)
    box = window.operations.refusal_box
    assert box is not None
    assert box.text() == "EKRAN-AS02 was not isolated."
    assert box.informativeText().startswith(
        "Your account is not allowed to do this; ask for the permission to manage "
        "Application Servers.\n\nThe Management Tool said: HTTP 403"
    )
    assert box.isVisible()
    notice = window.status.notices[-1]
    assert notice.message.startswith("EKRAN-AS02 was not isolated: Your account is not allowed")
    assert window.status.message_label.toolTip() == notice.message  # whole, too
    await wait_until(lambda: status_text(window, "as-02") == "Online")
    box.close()
    await wait_until(lambda: window.operations.refusal_box is None)
    await close_window(window)
