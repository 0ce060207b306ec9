"""The simulator's settings, as parsed from the command line."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.auth import LOCKOUT_WINDOW_S
from simulator.cluster_model import ClusterConfig
from simulator.logs import MIN_ARCHIVE_BYTES

DEFAULT_LOG_SIZE = 4 * 1024 * 1024
DEFAULT_USERNAME = "admin"
VIEWER_USERNAME = "viewer"
MAX_TIME_SCALE = 3600.0

RUN_SETTINGS: dict[str, tuple[type, float, float]] = {
    "clients": (int, 0, math.inf),
    "seed": (int, -math.inf, math.inf),
    "time_scale": (float, 0.0, MAX_TIME_SCALE),
    "drain_seconds": (float, 0.0, math.inf),
    "churn_per_minute": (float, 0.0, 1.0),
    "log_size": (int, MIN_ARCHIVE_BYTES, math.inf),
    "old_version_servers": (int, 0, math.inf),
    "token_ttl": (float, 1.0, math.inf),
    "lockout_window": (float, 1.0, math.inf),
}
"""The options a run can take anew without a restart (the control API's ``POST /reset``):
each one's type and range, as the command line checks them. The others (servers,
endpoints, ports, TLS, logins, the documented-only mode) fix what the process listens on."""


@dataclass(frozen=True)
class SimulatorOptions:
    """Everything a simulator run needs; see ``docs/simulator.md`` for each option.

    ``base_port`` 0 means free ports; otherwise server ``i`` (0-based) listens on
    ``base_port + i``. ``endpoints`` ``None`` opens an endpoint for every server.
    ``tls_dir`` ``None`` means a temporary directory removed on exit; with
    ``remove_tls_dir`` a given ``tls_dir`` is removed on exit too. ``password``
    ``None`` means a random one. ``parent_pid`` names a process whose end stops the
    simulator (the program that started it); ``None`` means none.
    """

    servers: int = 4
    clients: int = 100
    host: str = "127.0.0.1"
    base_port: int = 0
    endpoints: int | None = None
    tls_dir: Path | None = None
    remove_tls_dir: bool = False
    insecure_http: bool = False
    ready_file: Path | None = None
    seed: int = 0
    time_scale: float = 1.0
    drain_seconds: float = 120.0
    churn_per_minute: float = 0.02
    log_size: int = DEFAULT_LOG_SIZE
    old_version_servers: int = 1
    token_ttl: float = 3600.0
    lockout_window: float = LOCKOUT_WINDOW_S
    username: str = DEFAULT_USERNAME
    password: str | None = field(default=None, repr=False)
    control_port: int = 0
    parent_pid: int | None = None
    documented_only: bool = False
    base_path: str = "/EkranSystem"

    @property
    def endpoint_count(self) -> int:
        """How many servers get a Management Tool endpoint."""
        return self.servers if self.endpoints is None else min(self.endpoints, self.servers)

    def cluster_config(self) -> ClusterConfig:
        """The cluster model's configuration for these options."""
        return ClusterConfig(
            servers=self.servers,
            clients=self.clients,
            seed=self.seed,
            drain_seconds=self.drain_seconds,
            churn_per_minute=self.churn_per_minute,
            old_version_servers=self.old_version_servers,
        )

    def with_run_settings(self, changes: Mapping[str, object]) -> SimulatorOptions:
        """These options with ``changes`` (names from ``RUN_SETTINGS``) applied.

        Raises ``ValueError`` with a one-line message for any other name, a value of the
        wrong type (a JSON number for a float, an integer for an int; never a boolean) or
        out of its range.
        """
        checked: dict[str, object] = {}
        for name, value in changes.items():
            if name not in RUN_SETTINGS:
                raise ValueError(f"{name!r} cannot change without a restart (or is unknown)")
            kind, low, high = RUN_SETTINGS[name]
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if not numeric or (kind is int and not isinstance(value, int)):
                raise ValueError(f"{name!r} must be {'an integer' if kind is int else 'a number'}")
            try:
                number = float(value)  # type: ignore[arg-type]
            except OverflowError:  # an integer too large for a float
                number = math.inf
            if not (math.isfinite(number) and low <= number <= high):
                raise ValueError(f"{name!r} is out of range")
            checked[name] = kind(value)
        return dataclasses.replace(self, **checked)  # type: ignore[arg-type]
