"""The simulator's settings, as parsed from the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simulator.auth import LOCKOUT_WINDOW_S

DEFAULT_LOG_SIZE = 4 * 1024 * 1024
DEFAULT_USERNAME = "admin"
VIEWER_USERNAME = "viewer"


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
