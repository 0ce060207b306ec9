"""Read-only calls against a real simulator over TLS (one cluster for the module)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date
from typing import Any

import pytest

from app.api.client import ManagementClient
from app.api.cluster_reader import ClusterReplyReader
from app.api.dispatch import BodyReply, JsonReply
from app.api.errors import NotFoundError
from app.api.models import ClusterReply, HealthStatus, ServerStatus
from tests.app.api.simclient import admin_password, sim_settings
from tests.helpers.simulator_process import SimulatorProcess


async def test_health_of_a_running_server(shared_simulator: SimulatorProcess) -> None:
    async with ManagementClient(
        sim_settings(shared_simulator), admin_password(shared_simulator)
    ) as client:
        report = await client.health()
    assert report.ok
    assert report.http_status == 200
    assert report.status is HealthStatus.HEALTHY
    assert report.url == shared_simulator.url
    assert report.entries, "the debug report lists its checks"
    assert not report.isolated


async def test_health_needs_no_login(shared_simulator: SimulatorProcess) -> None:
    password = admin_password(shared_simulator)
    async with ManagementClient(sim_settings(shared_simulator), password) as client:
        for endpoint in shared_simulator.info.endpoints:
            assert (await client.health(endpoint.url)).ok
    assert password.calls == 0


async def test_cluster_snapshot_then_not_modified(shared_simulator: SimulatorProcess) -> None:
    async with ManagementClient(
        sim_settings(shared_simulator), admin_password(shared_simulator)
    ) as client:
        first = await client.cluster()
        second = await client.cluster()
    assert first.changed
    assert first.etag
    assert first.source_url == shared_simulator.url
    assert [s.id for s in first.servers] == ["as-01", "as-02", "as-03", "as-04"]
    assert all(s.status is ServerStatus.ONLINE for s in first.servers)
    assert sum(s.clients for s in first.servers) > 0
    assert not second.changed
    assert second.servers == first.servers
    assert second.etag == first.etag
    assert second.received_at >= first.received_at


async def test_the_cluster_reply_is_read_off_the_event_loop_one_reply_at_a_time(
    shared_simulator: SimulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoding and validating a reply (tens of ms for a large cluster) must not hold the
    event loop, which is the window's thread; concurrent polls read one after another."""
    loop_thread = threading.get_ident()
    readers: list[int] = []
    inside = threading.Semaphore(1)
    real_decode = BodyReply.decode

    def decode(reply: BodyReply) -> JsonReply:
        readers.append(threading.get_ident())
        return real_decode(reply)

    real_read = ClusterReplyReader._read

    def read(reader: ClusterReplyReader, data: Any, *, status: int, url: str) -> ClusterReply:
        assert inside.acquire(blocking=False), "two replies read at once"
        try:
            time.sleep(0.01)  # long enough for the other thread to try
            return real_read(reader, data, status=status, url=url)
        finally:
            inside.release()

    monkeypatch.setattr(BodyReply, "decode", decode)
    monkeypatch.setattr(ClusterReplyReader, "_read", read)
    async with ManagementClient(
        sim_settings(shared_simulator), admin_password(shared_simulator)
    ) as client:
        snapshots = await asyncio.gather(*(client.cluster() for _ in range(4)))
    assert all(len(snapshot.servers) == 4 for snapshot in snapshots)
    assert readers, "the reply was decoded"
    assert loop_thread not in readers


async def test_concurrent_calls_share_one_login(shared_simulator: SimulatorProcess) -> None:
    password = admin_password(shared_simulator)
    async with ManagementClient(sim_settings(shared_simulator), password) as client:
        results = await asyncio.gather(*(client.version(f"as-0{i}") for i in range(1, 5)))
        assert client.logged_in
    assert password.calls == 1
    assert all(r.version.count(".") == 3 for r in results)


async def test_version_of_a_running_server(shared_simulator: SimulatorProcess) -> None:
    async with ManagementClient(
        sim_settings(shared_simulator), admin_password(shared_simulator)
    ) as client:
        info = await client.version("as-02")
        snapshot = await client.cluster()
    server = snapshot.server("as-02")
    assert server is not None
    assert info.version == server.version
    assert isinstance(info.released, date)
    assert info.build
    assert info.version.endswith(info.build)


@pytest.mark.parametrize("server_id", ["as-99", "../auth/token", "as-01/../../x"])
async def test_unknown_server_is_not_found(
    shared_simulator: SimulatorProcess, server_id: str
) -> None:
    async with ManagementClient(
        sim_settings(shared_simulator), admin_password(shared_simulator)
    ) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.version(server_id)
    assert caught.value.message


async def test_repr_shows_no_secrets(shared_simulator: SimulatorProcess) -> None:
    password = shared_simulator.info.password
    async with ManagementClient(
        sim_settings(shared_simulator), admin_password(shared_simulator)
    ) as client:
        await client.cluster()
        token = client._session.token
        assert token is not None
        for text in (repr(client), str(client), repr(client._session)):
            assert password not in text
            assert token.get_secret_value() not in text
