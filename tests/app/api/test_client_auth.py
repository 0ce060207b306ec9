"""Logging in, token expiry, lockout and permissions against a real simulator."""

from __future__ import annotations

import pytest

from app.api.client import ManagementClient
from app.api.errors import AuthenticationError, AuthErrorKind, RateLimitedError
from tests.app.api.simclient import (
    CountingPassword,
    admin_password,
    requests_seen,
    sim_settings,
    token_requests,
)
from tests.helpers.simulator_process import SimulatorProcess


async def test_login_succeeds_and_is_reused(simulator: SimulatorProcess) -> None:
    password = admin_password(simulator)
    async with ManagementClient(sim_settings(simulator), password) as client:
        await client.login()
        assert client.logged_in
        await client.cluster()
        await client.version("as-01")
    assert password.calls == 1
    assert len(token_requests(simulator)) == 1
    api_calls = [r for r in requests_seen(simulator) if "/api/v1/cluster" in r["path"]]
    assert api_calls
    assert all(r["authorization"] for r in api_calls)


async def test_wrong_password_is_reported_and_not_repeated(simulator: SimulatorProcess) -> None:
    password = CountingPassword("not-the-password")
    async with ManagementClient(sim_settings(simulator), password) as client:
        with pytest.raises(AuthenticationError) as first:
            await client.cluster()
        with pytest.raises(AuthenticationError) as second:
            await client.cluster()
        assert first.value.kind is AuthErrorKind.BAD_CREDENTIALS
        assert second.value.kind is AuthErrorKind.BAD_CREDENTIALS
        assert password.calls == 1, "a refused login is not repeated on its own"
        assert len(token_requests(simulator)) == 1
        for text in (str(first.value), repr(first.value), first.value.detail):
            assert "not-the-password" not in text
        password.value = simulator.info.password
        await client.login()  # the user corrected the password
        snapshot = await client.cluster()
    assert snapshot.servers


async def test_lockout_is_honoured_without_further_attempts(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="fail", status=429, retry_after=30, path="/auth/token")
    password = admin_password(simulator)
    async with ManagementClient(sim_settings(simulator), password) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.login()
        assert caught.value.retry_after == 30
        assert "30 seconds" in caught.value.message
        with pytest.raises(RateLimitedError) as again:
            await client.cluster()
    assert again.value.retry_after is not None
    assert 0 < again.value.retry_after <= 30
    assert len(token_requests(simulator)) == 1, "no login before Retry-After has passed"


async def test_expired_token_logs_in_again_once(simulator: SimulatorProcess) -> None:
    password = admin_password(simulator)
    async with ManagementClient(sim_settings(simulator), password) as client:
        await client.cluster()
        simulator.add_fault(kind="expire_tokens")
        snapshot = await client.version("as-03")
    assert snapshot.version
    assert password.calls == 2
    version_calls = [
        r["status"] for r in requests_seen(simulator) if r["path"].endswith("/version")
    ]
    assert version_calls == [401, 200]


async def test_a_second_401_is_reported_not_looped(simulator: SimulatorProcess) -> None:
    simulator.add_fault(kind="fail", status=401, count=5, path="/api/v1/cluster")
    password = admin_password(simulator)
    async with ManagementClient(sim_settings(simulator), password) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.cluster()
    assert caught.value.kind is AuthErrorKind.EXPIRED
    assert password.calls == 2
    cluster_calls = [r for r in requests_seen(simulator) if r["path"].endswith("/api/v1/cluster")]
    assert [r["status"] for r in cluster_calls] == [401, 401]


async def test_viewer_may_read_but_not_isolate(simulator: SimulatorProcess) -> None:
    viewer = CountingPassword(simulator.info.raw["viewer_password"])
    settings = sim_settings(simulator, username=simulator.info.raw["viewer_username"])
    async with ManagementClient(settings, viewer) as client:
        snapshot = await client.cluster()
        with pytest.raises(AuthenticationError) as caught:
            await client.set_isolation("as-02", isolated=True, reason="maintenance")
    assert snapshot.servers
    assert caught.value.kind is AuthErrorKind.FORBIDDEN
    state = simulator.state()
    assert all(s["isolation"] is None for s in state["servers"])
