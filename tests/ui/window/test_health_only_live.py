"""A health-only connection in the window, against the simulator's documented-only mode
(a real process over TLS): the table, the actions it cannot do and why, the Load dock."""

from __future__ import annotations

from app.connections import ConnectionProfile
from app.monitor import ConnectionState
from tests.helpers.documented_simulator import health_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, cell_text, open_transient, status_text
from tests.ui.window.live_helpers import context_menu, select
from ui.cluster.columns import Column
from ui.main_window import MainWindow
from ui.window.action_rules import ActionId


async def _health_only_window(
    make_window: MakeWindow, sim: SimulatorProcess
) -> tuple[MainWindow, ConnectionProfile]:
    window = make_window()
    profile = health_profile(sim, poll_interval_s=1.0)
    sim.stop_server("as-03")
    open_transient(window, profile, "never used")
    await wait_until(lambda: window.cluster_pane.model.rowCount() == 3)
    await wait_until(
        lambda: (
            window.sessions.current is not None
            and window.sessions.current.status.state is ConnectionState.DEGRADED
            and len(window.sessions.current.session.monitor.health) == 3
        )
    )
    return window, profile


async def test_servers_show_their_healthcheck_and_client_columns_are_hidden(
    make_window: MakeWindow, documented: SimulatorProcess
) -> None:
    window, _ = await _health_only_window(make_window, documented)
    first, _, stopped = (e.url for e in documented.info.endpoints)
    assert status_text(window, first) == "Online"
    assert status_text(window, stopped) == "Offline"
    await wait_until(lambda: (cell_text(window, first, Column.HEALTH) or "").endswith(" ms"))
    assert cell_text(window, stopped, Column.HEALTH) == "Unhealthy · HTTP 503"
    assert cell_text(window, first, Column.NAME) == first.split("//")[1].split("/")[0]
    table = window.cluster_pane.table
    for column in (Column.CLIENTS, Column.LOAD_SHARE, Column.ISOLATION):
        assert table.isColumnHidden(column)
    assert not table.isColumnHidden(Column.HEALTH)
    assert not window.cluster_pane.overview.clients.isVisibleTo(window)
    assert window.cluster_pane.overview.online.text.text() == "2 online"


async def test_actions_that_need_an_api_are_disabled_with_their_reason(
    make_window: MakeWindow, documented: SimulatorProcess
) -> None:
    window, _ = await _health_only_window(make_window, documented)
    select(window, documented.url)
    menu = context_menu(window)
    actions = {a.objectName(): a for a in menu.actions() if a.objectName()}
    for action_id in (
        ActionId.ISOLATE,
        ActionId.RETURN_TO_SERVICE,
        ActionId.CHECK_VERSION,
        ActionId.DOWNLOAD_LOGS,
    ):
        action = actions[action_id.value]
        assert not action.isEnabled()
        assert "needs an API connection" in action.toolTip()
        assert "health-only connection" in action.toolTip()
    browser = actions[ActionId.OPEN_IN_BROWSER.value]
    assert browser.isEnabled()
    assert documented.url in browser.toolTip()
    assert actions[ActionId.HEALTH_DETAILS.value].isEnabled()
    menu.close()


async def test_health_details_show_the_last_reply_as_text(
    make_window: MakeWindow, documented: SimulatorProcess
) -> None:
    window, _ = await _health_only_window(make_window, documented)
    select(window, documented.url)
    (server,) = window.cluster_pane.selected_servers()
    window.operations.show_health(server)
    dialog = window.operations.health_dialog
    assert dialog is not None
    assert dialog.body_view.isVisibleTo(dialog)
    assert '"status": "Healthy"' in dialog.body_view.toPlainText()
    assert " ms" in dialog.summary()
    dialog.close()


async def test_the_load_dock_shows_response_times(
    make_window: MakeWindow, documented: SimulatorProcess
) -> None:
    window, _ = await _health_only_window(make_window, documented)
    dock = window.load_views.dock
    assert dock.windowTitle() == "Healthcheck response time"
    graph = window.load_views.graph
    assert graph.plot.getAxis("left").labelText == "Response time (ms)"
    assert graph.plot_widget.accessibleName() == "Healthcheck response time"
