"""Which server actions apply to a selection, and why not when they do not (no widgets).

``availability`` is a pure function of the selected servers, the connection and its
state, so that every rule can be tested without a window. A disabled action always
carries a one-line reason, shown as its tooltip and status tip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.analysis import can_download_logs
from app.api.states import ServerStatus
from app.kinds.registry import capabilities_of
from app.monitor import ConnectionState, MonitorStatus
from app.seam import Capabilities, Capability
from app.text_safety import display_text

if TYPE_CHECKING:
    from app.api.models import Server
    from app.connections import ConnectionProfile


class ActionId(StrEnum):
    """The server actions; each value is the ``objectName`` of its QAction."""

    ISOLATE = "actionIsolate"
    RETURN_TO_SERVICE = "actionReturnToService"
    CHECK_VERSION = "actionCheckVersion"
    DOWNLOAD_LOGS = "actionDownloadLogs"
    HEALTH_DETAILS = "actionHealthDetails"
    OPEN_IN_BROWSER = "actionOpenInBrowser"
    COPY_NAME = "actionCopyName"
    COPY_ADDRESS = "actionCopyAddress"
    REFRESH = "actionRefresh"


@dataclass(frozen=True)
class Availability:
    """Whether an action applies: ``tip`` says what it will do, or why it cannot.

    ``targets`` are the selected servers it acts on (others are skipped); ``url`` is
    the address Open in browser opens.
    """

    enabled: bool
    tip: str
    targets: tuple[Server, ...] = ()
    visible: bool = True
    url: str | None = None


_RUNNING = (ServerStatus.ONLINE, ServerStatus.ISOLATED)
_NOT_CHANGEABLE = (ServerStatus.OFFLINE, ServerStatus.STOPPING)
_WORKING_STATES = (ConnectionState.CONNECTED, ConnectionState.DEGRADED)


def is_isolated(server: Server) -> bool:
    return server.isolation is not None or server.status is ServerStatus.ISOLATED


def _names(servers: Sequence[Server]) -> str:
    names = [s.name for s in servers]
    if len(names) <= 2:
        return " and ".join(names)
    return f"{len(names)} servers"


def _its(servers: Sequence[Server]) -> str:
    return "its" if len(servers) == 1 else "their"


def _skipped(selection: Sequence[Server], targets: Sequence[Server]) -> str:
    skipped = [s for s in selection if s not in targets]
    if not skipped:
        return ""
    verb = "is" if len(skipped) == 1 else "are"
    return f" ({_names(skipped)} {verb} skipped.)"


def connection_problem(
    profile: ConnectionProfile | None, status: MonitorStatus | None
) -> str | None:
    """Why the connection cannot act now, or None when it can."""
    if profile is None:
        return "Open a connection first."
    state = status.state if status is not None else ConnectionState.IDLE
    if state in _WORKING_STATES:
        return None
    if state in (ConnectionState.IDLE, ConnectionState.CONNECTING):
        return f"Not connected to {profile.name} yet."
    if state is ConnectionState.STALE:
        return f"{profile.name} is not answering: the cluster view is out of date."
    return f"{profile.name}: {state.label.lower()}."


def availability(
    selection: Sequence[Server],
    profile: ConnectionProfile | None,
    status: MonitorStatus | None,
    *,
    isolation_refusal: str | None = None,
) -> dict[ActionId, Availability]:
    """Every server action's availability for ``selection`` on ``profile`` in ``status``.

    ``isolation_refusal`` says why the account may not change isolation (a read-only
    account, known from its login); Isolate and Return are then disabled with it.
    """
    problem = connection_problem(profile, status)
    refusal = None if problem is not None else isolation_refusal
    found = {
        ActionId.ISOLATE: _isolate(selection, profile, problem, refusal),
        ActionId.RETURN_TO_SERVICE: _return(selection, profile, problem, refusal),
        ActionId.CHECK_VERSION: _version(selection, problem),
        ActionId.DOWNLOAD_LOGS: _logs(selection, problem),
        ActionId.HEALTH_DETAILS: _health(selection, profile),
        ActionId.OPEN_IN_BROWSER: _browser(selection, profile, status),
        ActionId.COPY_NAME: _copy(selection, "name"),
        ActionId.COPY_ADDRESS: _copy(selection, "address"),
        ActionId.REFRESH: (
            Availability(False, "Open a connection first.")
            if profile is None
            else Availability(True, f"Ask {profile.name} for the cluster's state now.")
        ),
    }
    return found if profile is None else _within_capabilities(found, capabilities_of(profile))


# The capability each server action needs; without it the action is disabled with the
# kind's reason (a health-only connection, for one).
_NEEDS: dict[ActionId, Capability] = {
    ActionId.ISOLATE: Capability.ISOLATE,
    ActionId.RETURN_TO_SERVICE: Capability.ISOLATE,
    ActionId.CHECK_VERSION: Capability.VERSION_CHECK,
    ActionId.DOWNLOAD_LOGS: Capability.LOG_DOWNLOAD,
}


def _within_capabilities(
    found: dict[ActionId, Availability], capabilities: Capabilities
) -> dict[ActionId, Availability]:
    for action, capability in _NEEDS.items():
        reason = capabilities.reason(capability)
        if reason is not None:
            found[action] = Availability(False, reason)
    return found


def _isolation_gate(
    selection: Sequence[Server],
    profile: ConnectionProfile | None,
    problem: str | None,
    what: str,
    refusal: str | None,
) -> Availability | None:
    if profile is not None and profile.read_only:
        return Availability(
            False,
            f"{profile.name} is a read-only connection: isolation is disabled.",
            visible=False,
        )
    if refusal is not None:  # whatever is selected: the account may not
        return Availability(False, refusal)
    if not selection:
        return Availability(False, f"Select the servers to {what}.")
    if problem is not None:
        return Availability(False, problem)
    return None


def _isolate(
    selection: Sequence[Server],
    profile: ConnectionProfile | None,
    problem: str | None,
    refusal: str | None = None,
) -> Availability:
    gate = _isolation_gate(selection, profile, problem, "isolate", refusal)
    if gate is not None:
        return gate
    targets = tuple(s for s in selection if s.status not in _NOT_CHANGEABLE and not is_isolated(s))
    if not targets:
        first = selection[0]
        if len(selection) > 1:
            return Availability(False, "The selected servers are already isolated or not running.")
        if is_isolated(first):
            return Availability(False, f"{display_text(first.name)} is already isolated.")
        return Availability(
            False,
            f"{display_text(first.name)} is {first.status.value}: "
            "isolation can change only while it runs.",
        )
    return Availability(
        True,
        f"Stop sending new Clients to {_names(targets)} and move {_its(targets)} Clients to "
        "other servers." + _skipped(selection, targets),
        targets,
    )


def _return(
    selection: Sequence[Server],
    profile: ConnectionProfile | None,
    problem: str | None,
    refusal: str | None = None,
) -> Availability:
    gate = _isolation_gate(selection, profile, problem, "return to service", refusal)
    if gate is not None:
        return gate
    targets = tuple(s for s in selection if is_isolated(s) and s.status not in _NOT_CHANGEABLE)
    if not targets:
        first = selection[0]
        if len(selection) > 1:
            return Availability(False, "None of the selected servers is isolated and running.")
        if not is_isolated(first):
            return Availability(False, f"{display_text(first.name)} is not isolated.")
        return Availability(
            False,
            f"{display_text(first.name)} is {first.status.value}: "
            "isolation can change only while it runs.",
        )
    return Availability(
        True,
        f"Let {_names(targets)} receive new Clients again." + _skipped(selection, targets),
        targets,
    )


def _version(selection: Sequence[Server], problem: str | None) -> Availability:
    if not selection:
        return Availability(False, "Select the servers whose version to check.")
    if problem is not None:
        return Availability(False, problem)
    targets = tuple(s for s in selection if s.status in _RUNNING)
    if not targets:
        first = selection[0]
        if len(selection) > 1:
            return Availability(False, "None of the selected servers is running.")
        return Availability(
            False,
            f"{display_text(first.name)} is {first.status.value}: "
            "its version can be asked only while it runs.",
        )
    return Availability(
        True,
        f"Ask {_names(targets)} which version {'it runs' if len(targets) == 1 else 'they run'}."
        + _skipped(selection, targets),
        targets,
    )


def _logs(selection: Sequence[Server], problem: str | None) -> Availability:
    if not selection:
        return Availability(False, "Select the servers whose logs to download.")
    if problem is not None:
        return Availability(False, problem)
    verdicts = [(s, *can_download_logs(s)) for s in selection]
    targets = tuple(s for s, allowed, _ in verdicts if allowed)
    if not targets:
        if len(selection) == 1:
            return Availability(False, verdicts[0][2])
        return Availability(
            False,
            "None of the selected servers is running: logs can only be downloaded while it runs.",
        )
    return Availability(
        True,
        f"Download the log archive of {_names(targets)}." + _skipped(selection, targets),
        targets,
    )


def _health(selection: Sequence[Server], profile: ConnectionProfile | None) -> Availability:
    if profile is None:
        return Availability(False, "Open a connection first.")
    if len(selection) != 1:
        return Availability(False, "Select one server to see its health details.")
    server = selection[0]
    return Availability(
        True, f"Show the healthcheck report of {display_text(server.name)}.", (server,)
    )


def _browser(
    selection: Sequence[Server], profile: ConnectionProfile | None, status: MonitorStatus | None
) -> Availability:
    if profile is None:
        return Availability(False, "Open a connection first.")
    if len(selection) != 1:
        return Availability(False, "Select one server to open its Management Tool.")
    server = selection[0]
    fallback = status.active_url if status is not None and status.active_url else profile.urls[0]
    url = server.management_url or fallback
    return Availability(True, f"Open {url} in the web browser.", (server,), url=url)


def _copy(selection: Sequence[Server], field: str) -> Availability:
    if not selection:
        return Availability(False, f"Select the servers whose {field} to copy.")
    noun = field if len(selection) == 1 else f"{field}s"
    return Availability(True, f"Copy the {noun} of {_names(selection)}.", tuple(selection))
