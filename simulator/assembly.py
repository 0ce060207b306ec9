"""Building a simulator run's shared state from its options."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from simulator.auth import Account, Accounts, LoginThrottle, Role, TokenStore
from simulator.cluster import Cluster
from simulator.log_store import LogStore
from simulator.options import VIEWER_USERNAME, SimulatorOptions
from simulator.request_log import RequestLog
from simulator.state import SimulatorState

LOG_CACHE_DIR = "log-archives"


@dataclass(frozen=True)
class Credentials:
    """The secrets of one run: the two logins and the control token (hidden from ``repr``)."""

    username: str
    password: str = field(repr=False)
    viewer_password: str = field(repr=False)
    control_token: str = field(repr=False)
    viewer_username: str = VIEWER_USERNAME

    @classmethod
    def for_options(cls, options: SimulatorOptions) -> Credentials:
        """The configured admin password (or a random one), a random viewer password and token."""
        return cls(
            username=options.username,
            password=options.password or secrets.token_urlsafe(12),
            viewer_password=secrets.token_urlsafe(12),
            control_token=secrets.token_urlsafe(24),
        )


def create_state(
    options: SimulatorOptions,
    credentials: Credentials,
    *,
    work_dir: Path,
    requests: RequestLog | None = None,
) -> SimulatorState:
    """A fresh cluster with its accounts, token store, log archive cache and request log.

    Log archives are cached under ``work_dir``. Raises ``ValueError`` for options the
    cluster model refuses.
    """
    accounts = Accounts(
        [
            Account(credentials.username, credentials.password, Role.ADMIN),
            Account(credentials.viewer_username, credentials.viewer_password, Role.VIEWER),
        ]
    )
    return SimulatorState(
        cluster=Cluster(options.cluster_config()),
        accounts=accounts,
        tokens=TokenStore(options.token_ttl),
        throttle=LoginThrottle(window=options.lockout_window),
        logs=LogStore(work_dir / LOG_CACHE_DIR, size=options.log_size, seed=options.seed),
        requests=requests or RequestLog(),
        control_token=credentials.control_token,
        options=options,
    )
