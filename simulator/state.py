"""The one shared state every endpoint and the control API of a simulator run work on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from simulator.auth import Accounts, LoginThrottle, TokenStore
from simulator.cluster import Cluster
from simulator.faults import FaultBook
from simulator.log_store import LogStore
from simulator.options import SimulatorOptions
from simulator.request_log import RequestLog


@dataclass
class SimulatorState:
    """The cluster and everything around it that the HTTP layer shares.

    ``endpoint_urls`` maps a server id to its Management Tool base URL; only servers
    with an open endpoint appear. ``options`` are the run's options: those of its
    command line, with the run settings the last ``reset`` took. ``shutdown_requested``
    is set by the control API's ``POST /shutdown``; the run then ends as on SIGTERM.
    aiohttp runs everything on one event loop, so no locking is needed.
    """

    cluster: Cluster
    accounts: Accounts
    tokens: TokenStore
    throttle: LoginThrottle
    logs: LogStore
    requests: RequestLog
    control_token: str = field(repr=False)
    options: SimulatorOptions
    faults: FaultBook = field(default_factory=FaultBook)
    endpoint_urls: dict[str, str] = field(default_factory=dict)
    shutdown_requested: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self, options: SimulatorOptions | None = None) -> None:
        """Return to the state of a run that has just started, on the same ports.

        A new cluster from the same configuration (seed, clock starting now, every
        server running, named and versioned as at start, none isolated), every token
        revoked, no login failures counted, no faults or health overrides, no remembered
        requests, and log archives made afresh for the servers as they are now. The
        accounts, their passwords, the control token and the log written so far stay.

        With ``options`` (the run's own with other run settings: ``with_run_settings``)
        the new run takes those settings: its cluster, time scale, token lifetime,
        lock-out window and log archives are then those of a process started with them.
        """
        if options is not None:
            self.options = options
        options = self.options
        self.cluster = Cluster(options.cluster_config())
        self.tokens = TokenStore(options.token_ttl)
        self.throttle = LoginThrottle(window=options.lockout_window)
        self.faults = FaultBook()
        self.requests.forget()
        self.logs = self.logs.renewed(size=options.log_size, seed=options.seed)


STATE = web.AppKey("simulator_state", SimulatorState)
ENDPOINT = web.AppKey("endpoint_server_id", str)
