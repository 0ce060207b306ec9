"""Rolling maintenance: upgrade or patch a cluster one server at a time.

The sequence lives here once, for the window and the command line: a plan
(``plan``), pre-flight checks (``preflight``), a pure step machine (``machine``) driven
by cluster observations, a clock and the admin's commands, its saved state
(``state``, ``store``) and a thin async driver (``driver``) that applies the machine's
actions through ``ClusterActions`` and the Management Tool client.
"""

from app.rollout.events import (
    ActionFailed,
    ActionKind,
    ActionSucceeded,
    Admin,
    AdminCommand,
    HealthProbed,
    Isolate,
    MessageKind,
    Observation,
    ProbeHealth,
    ReturnToService,
    RolloutAction,
    RolloutInput,
    RolloutMessage,
    Verified,
    Verify,
)
from app.rollout.machine import Outcome, start_run, step
from app.rollout.plan import RolloutPlan
from app.rollout.preflight import CheckResult, preflight
from app.rollout.state import (
    STATE_FORMAT_VERSION,
    PauseKind,
    RolloutState,
    RunStatus,
    ServerProgress,
    ServerStep,
)
from app.rollout.store import RolloutBusyError, RolloutStore, RolloutStoreError

__all__ = [
    "STATE_FORMAT_VERSION",
    "ActionFailed",
    "ActionKind",
    "ActionSucceeded",
    "Admin",
    "AdminCommand",
    "CheckResult",
    "HealthProbed",
    "Isolate",
    "MessageKind",
    "Observation",
    "Outcome",
    "PauseKind",
    "ProbeHealth",
    "ReturnToService",
    "RolloutAction",
    "RolloutBusyError",
    "RolloutInput",
    "RolloutMessage",
    "RolloutPlan",
    "RolloutState",
    "RolloutStore",
    "RolloutStoreError",
    "RunStatus",
    "ServerProgress",
    "ServerStep",
    "Verified",
    "Verify",
    "preflight",
    "start_run",
    "step",
]
