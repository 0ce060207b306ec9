"""A first start (no connections) offers how to begin; the title names the connection once."""

from __future__ import annotations

from app.api.models import ServerStatus
from app.connections import EnvironmentTag
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow
from tests.ui.window.servers import profile
from ui.cluster.empty_state import NO_CONNECTIONS_TEXT
from ui.demo import DEMO_CONNECTION_NAME, READY_TIMEOUT_S, STAGED_ISOLATED, STAGED_OFFLINE
from ui.main_window import window_title
from ui.settings import APPLICATION


async def test_first_start_offers_add_and_demo(make_window: MakeWindow) -> None:
    window = make_window()
    empty = window.cluster_pane.empty_state
    await wait_until(lambda: window.cluster_pane.empty_text == NO_CONNECTIONS_TEXT)
    assert empty.add_button.isVisible()
    assert empty.demo_button.isVisible()

    empty.add_button.click()
    dialog = window.connections_pane.connection_dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.reject()

    window.repository.add_transient(profile(name="Lab"))
    await wait_until(lambda: window.cluster_pane.empty_text == "Select a connection on the left")
    assert not empty.add_button.isVisible()
    assert not empty.demo_button.isVisible()


def test_title_names_the_connection_once() -> None:
    assert window_title(None) == ""
    assert window_title(profile(name="Prod")) == "Prod"
    tagged = profile(name="Prod", tag=EnvironmentTag.PRODUCTION)
    assert window_title(tagged) == "Prod (Production)"
    # Qt adds the display name to every title: naming the application here repeated it
    assert APPLICATION not in window_title(tagged)


async def test_open_the_demo_starts_it_staged(make_window: MakeWindow) -> None:
    window = make_window()
    empty = window.cluster_pane.empty_state
    await wait_until(lambda: empty.demo_button.isVisible())
    empty.demo_button.click()
    # as long as the console itself waits for the demo cluster, and its first poll after
    await wait_until(
        lambda: window.cluster_pane.model.rowCount() == 5,
        within=READY_TIMEOUT_S + 20.0,
        what="the demo cluster's five servers",
    )

    def staged() -> bool:
        servers = {s.id: s for s in window.cluster_pane.model.servers()}
        isolated, offline = servers[STAGED_ISOLATED[0]], servers[STAGED_OFFLINE]
        return (
            isolated.status is ServerStatus.ISOLATED
            and isolated.isolation is not None
            and isolated.isolation.reason == STAGED_ISOLATED[1]
            and offline.status is ServerStatus.OFFLINE
        )

    await wait_until(staged, within=30.0)
    assert window.windowTitle() == f"{DEMO_CONNECTION_NAME} (Test)"
