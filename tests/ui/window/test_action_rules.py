"""Which server actions apply to which selection, and the reason shown when they do not."""

from __future__ import annotations

import pytest

from app.api.models import Server, ServerStatus
from app.monitor import ConnectionState
from tests.ui.window.servers import profile, server, status
from ui.window.action_rules import ActionId, availability, connection_problem

ISOLATION_ACTIONS = (ActionId.ISOLATE, ActionId.RETURN_TO_SERVICE)


def test_without_a_connection_only_reasons_are_given() -> None:
    rules = availability([], None, None)
    assert not any(rule.enabled for rule in rules.values())
    assert rules[ActionId.REFRESH].tip == "Open a connection first."


def test_isolation_is_hidden_on_a_read_only_connection() -> None:
    rules = availability([server(1)], profile(read_only=True), status())
    for action_id in ISOLATION_ACTIONS:
        assert not rules[action_id].visible
        assert not rules[action_id].enabled
        assert "read-only" in rules[action_id].tip
    assert rules[ActionId.CHECK_VERSION].enabled


def test_isolate_applies_to_online_servers_and_names_the_skipped_ones() -> None:
    selection = [server(1), server(2, ServerStatus.ISOLATED), server(3, ServerStatus.OFFLINE)]
    rule = availability(selection, profile(), status())[ActionId.ISOLATE]
    assert rule.enabled
    assert [s.id for s in rule.targets] == ["as-01"]
    assert rule.tip.endswith("(EKRAN-AS02 and EKRAN-AS03 are skipped.)")


@pytest.mark.parametrize(
    ("selected", "reason"),
    [
        ([server(2, ServerStatus.ISOLATED)], "EKRAN-AS02 is already isolated."),
        (
            [server(3, ServerStatus.OFFLINE)],
            "EKRAN-AS03 is offline: isolation can change only while it runs.",
        ),
        (
            [server(2, ServerStatus.ISOLATED), server(3, ServerStatus.STOPPING)],
            "The selected servers are already isolated or not running.",
        ),
        ([], "Select the servers to isolate."),
    ],
)
def test_isolate_is_disabled_with_a_reason(selected: list[Server], reason: str) -> None:
    rule = availability(selected, profile(), status())[ActionId.ISOLATE]
    assert not rule.enabled
    assert rule.tip == reason


def test_return_to_service_applies_only_to_isolated_running_servers() -> None:
    rules = availability([server(1)], profile(), status())
    assert rules[ActionId.RETURN_TO_SERVICE].tip == "EKRAN-AS01 is not isolated."
    isolated = server(2, ServerStatus.ISOLATED)
    rule = availability([isolated, server(1)], profile(), status())[ActionId.RETURN_TO_SERVICE]
    assert rule.enabled
    assert rule.targets == (isolated,)


@pytest.mark.parametrize(
    "server_status", [ServerStatus.OFFLINE, ServerStatus.STARTING, ServerStatus.STOPPING]
)
def test_logs_of_a_server_that_does_not_run_cannot_be_downloaded(
    server_status: ServerStatus,
) -> None:
    rule = availability([server(3, server_status)], profile(), status())[ActionId.DOWNLOAD_LOGS]
    assert not rule.enabled
    assert rule.tip == (
        f"EKRAN-AS03 is {server_status.value}: logs can only be downloaded while it runs."
    )


def test_logs_and_versions_apply_to_isolated_servers_too() -> None:
    selection = [server(1), server(2, ServerStatus.ISOLATED), server(3, ServerStatus.OFFLINE)]
    rules = availability(selection, profile(), status())
    for action_id in (ActionId.DOWNLOAD_LOGS, ActionId.CHECK_VERSION):
        assert [s.id for s in rules[action_id].targets] == ["as-01", "as-02"]


@pytest.mark.parametrize(
    "state",
    [
        ConnectionState.IDLE,
        ConnectionState.CONNECTING,
        ConnectionState.STALE,
        ConnectionState.UNREACHABLE,
        ConnectionState.AUTH_FAILED,
        ConnectionState.TLS_PROBLEM,
    ],
)
def test_actions_that_ask_the_cluster_wait_for_a_working_connection(
    state: ConnectionState,
) -> None:
    rules = availability([server(1)], profile(), status(state))
    reason = connection_problem(profile(), status(state))
    assert reason is not None
    for action_id in (*ISOLATION_ACTIONS, ActionId.CHECK_VERSION, ActionId.DOWNLOAD_LOGS):
        assert not rules[action_id].enabled
        assert rules[action_id].tip == reason
    assert rules[ActionId.HEALTH_DETAILS].enabled  # shows the last known report
    assert rules[ActionId.REFRESH].enabled


def test_degraded_connections_still_act() -> None:
    rules = availability([server(1)], profile(), status(ConnectionState.DEGRADED))
    assert rules[ActionId.ISOLATE].enabled


def test_health_and_browser_need_exactly_one_server() -> None:
    two = availability([server(1), server(2)], profile(), status())
    assert not two[ActionId.HEALTH_DETAILS].enabled
    assert not two[ActionId.OPEN_IN_BROWSER].enabled
    assert two[ActionId.COPY_NAME].enabled
    assert two[ActionId.COPY_NAME].tip == "Copy the names of EKRAN-AS01 and EKRAN-AS02."


def test_browser_opens_the_servers_own_tool_or_the_endpoint_in_use() -> None:
    own = availability([server(1)], profile(), status())[ActionId.OPEN_IN_BROWSER]
    assert own.url == "https://as01.example/EkranSystem"
    no_endpoint = server(2, management_url=None)
    fallback = availability([no_endpoint], profile(), status())[ActionId.OPEN_IN_BROWSER]
    assert fallback.url == "https://mt2.example/EkranSystem"


def test_an_account_that_may_not_isolate_sees_why_before_any_click() -> None:
    why = "The account viewer may view this cluster but not isolate servers."
    for selection in ([server(1)], [server(2, ServerStatus.ISOLATED)], []):
        rules = availability(selection, profile(), status(), isolation_refusal=why)
        for action_id in ISOLATION_ACTIONS:
            assert rules[action_id].visible  # shown, disabled, with the reason
            assert not rules[action_id].enabled
            assert rules[action_id].tip == why
        assert rules[ActionId.CHECK_VERSION].enabled == bool(selection)
    # A connection problem comes first: it says what to fix now.
    lost = availability(
        [server(1)], profile(), status(ConnectionState.STALE), isolation_refusal=why
    )
    assert "not answering" in lost[ActionId.ISOLATE].tip
