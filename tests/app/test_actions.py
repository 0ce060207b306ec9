"""ClusterActions against the simulator: every call leaves exactly one audit record."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.actions import ClusterActions, ReadOnlyError
from app.api.client import ManagementClient
from app.api.errors import ConflictError
from app.audit import AuditAction, AuditLog, AuditResult
from tests.app.api.simclient import admin_password, requests_seen, sim_settings
from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess


def actions_for(client: Any, audit: AuditLog, *, read_only: bool = False) -> ClusterActions:
    return ClusterActions(
        client, connection_name="Lab", username="admin", read_only=read_only, audit=audit
    )


async def written(audit: AuditLog, count: int) -> list[Any]:
    """The audit records once ``count`` are on disk (the writer thread is asynchronous)."""
    for _ in range(500):
        entries = audit.read()
        if len(entries) >= count:
            return entries
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} audit records, found {len(audit.read())}")


def first_server(sim: SimulatorProcess) -> str:
    return sim.info.endpoints[0].server_id


async def test_isolate_and_return_each_leave_an_ok_record(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "3")
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        actions = actions_for(client, audit)
        server = await actions.isolate(first_server(sim), reason="Windows updates")
        assert server.isolation is not None
        await actions.return_to_service(first_server(sim))
        actions.close()
    entries = await written(audit, 2)
    assert [(e.action, e.result, e.detail) for e in entries] == [
        (AuditAction.ISOLATE, AuditResult.OK, "Windows updates"),
        (AuditAction.RETURN, AuditResult.OK, ""),
    ]
    assert all(e.server == first_server(sim) and e.connection == "Lab" for e in entries)


async def test_a_refused_isolation_is_a_failed_record_with_the_reason(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "1")
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        actions = actions_for(client, audit)
        with pytest.raises(ConflictError) as refused:
            await actions.isolate(first_server(sim))
        actions.close()
    (entry,) = await written(audit, 1)
    assert entry.result is AuditResult.FAILED
    assert entry.detail == refused.value.message


async def test_a_read_only_connection_sends_nothing_and_records_the_refusal(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "2")
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        actions = actions_for(client, audit, read_only=True)
        with pytest.raises(ReadOnlyError):
            await actions.isolate(first_server(sim))
        actions.close()
    (entry,) = await written(audit, 1)
    assert entry.result is AuditResult.FAILED
    assert not [r for r in requests_seen(sim) if "isolation" in r.get("path", "")]


async def test_a_cancelled_isolation_leaves_an_unknown_outcome_record(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "3")
    # One use: the fault leaves the simulator's list when the request reaches the server
    # (its request log records a request only once answered, 30 s later).
    await asyncio.to_thread(sim.add_fault, kind="latency", seconds=30, path="/isolation", count=1)
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        actions = actions_for(client, audit)
        task = asyncio.create_task(actions.isolate(first_server(sim), reason="patching"))
        for _ in range(500):  # until the request has reached the server
            if not await asyncio.to_thread(sim.control, "GET", "faults"):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the isolation request never reached the server")
        assert not task.done()  # still waiting on the answer when cancelled
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        actions.close()
    (entry,) = await written(audit, 1)
    assert entry.action is AuditAction.ISOLATE
    assert entry.result is AuditResult.UNKNOWN
    assert entry.detail == "cancelled: patching"


class FailingClient:
    """A client whose call fails in a way the console does not expect."""

    permissions: frozenset[str] | None = None  # the login said nothing

    async def set_isolation(self, server_id: str, **_: object) -> Any:
        raise RuntimeError("boom")


async def test_an_unexpected_error_leaves_an_unknown_outcome_record(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    actions = actions_for(FailingClient(), audit)
    with pytest.raises(RuntimeError):
        await actions.return_to_service("as-01")
    actions.close()
    (entry,) = await written(audit, 1)
    assert entry.result is AuditResult.UNKNOWN
    assert entry.detail == "unexpected error (RuntimeError)"
