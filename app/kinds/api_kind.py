"""The API connection: a Management Tool (or a gateway) implementing the console's contract."""

from __future__ import annotations

import dataclasses

import httpx

from app.api.client import ManagementClient
from app.api.session import PasswordSource
from app.api.settings import FailoverRule
from app.connections import ConnectionKindName, ConnectionProfile
from app.monitor.monitor import ClusterSource
from app.seam.capabilities import Capabilities, LoadSource
from app.seam.client import KindClient


class ApiKind:
    """Everything: the cluster view, Client counts, isolation, versions and logs."""

    name = ConnectionKindName.API
    capabilities = Capabilities(kind_label="API connection")

    def build_client(
        self,
        profile: ConnectionProfile,
        password: PasswordSource,
        *,
        transport: httpx.AsyncBaseTransport | None,
        failover: FailoverRule,
    ) -> KindClient:
        settings = dataclasses.replace(profile.endpoint_settings(), failover=failover)
        return ManagementClient(settings, password, transport=transport)

    def monitor_source(self, client: KindClient) -> ClusterSource:
        return client

    def load_values(self, client: KindClient) -> LoadSource | None:
        return None  # the servers' Clients, as the snapshot reports them

    def health_interval(self, profile: ConnectionProfile) -> float | None:
        return None


API_KIND = ApiKind()
