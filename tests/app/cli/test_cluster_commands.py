"""``isolate``, ``return`` and ``watch`` in-process against the simulator: what they say."""

from __future__ import annotations

import asyncio
import json
from argparse import Namespace
from datetime import UTC, datetime, timedelta

import pytest

from app.api.models import Isolation, Server, ServerStatus
from app.cli import isolation
from tests.app.cli.inprocess import InProcessCli
from tests.helpers.simulator_process import SimulatorProcess


def test_isolating_an_isolated_server_says_since_when_by_whom_and_why(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    console.add(simulator)
    pw = simulator.info.password
    server = simulator.info.endpoints[1].server_id
    first = console.json("isolate", server, "--reason", "patching", password=pw)
    assert first["changed"] is True
    again = console.run("isolate", server, "--reason", "new disks", password=pw)
    line = again.stdout.strip()
    since = datetime.fromisoformat(first["isolation"]["since"]).astimezone()
    assert f"was already isolated since {since:%Y-%m-%d %H:%M} (" in line
    assert f"by {simulator.info.username} with reason 'patching'." in line
    # the API keeps the first reason (docs/management-api.md, "Idempotent")
    assert "kept that reason" in line
    document = console.json("isolate", server, "--reason", "new disks", password=pw)
    assert (document["changed"], document["reason_updated"]) == (False, False)
    assert document["isolation"]["reason"] == "patching"
    same = console.run("isolate", server, password=pw)
    assert same.stdout.strip().endswith("Nothing changed.")


def test_return_says_whether_the_server_was_isolated(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    console.add(simulator)
    pw = simulator.info.password
    server = simulator.info.endpoints[2].server_id
    name = console.json("servers", password=pw)[2]["name"]
    idle = console.run("return", server, password=pw)
    assert idle.stdout.strip() == f"{name} was not isolated; nothing changed (it is online)."
    assert console.json("return", server, password=pw)["changed"] is False
    console.run("isolate", server, password=pw)
    back = console.run("return", server, password=pw)
    assert back.stdout.strip() == f"{name} is back in service (online)."


def _server(reason: str | None) -> Server:
    since = datetime.now(UTC) - timedelta(minutes=5)
    return Server(
        id="as-02",
        name="EKRAN-AS02",
        address="10.0.0.2",
        status=ServerStatus.ISOLATED,
        clients=0,
        isolation=Isolation(since=since, by="admin", reason=reason),
        last_seen=datetime.now(UTC),
    )


class _ReasonUpdatingActions:
    """A Management Tool that, unlike the contract's, replaces the reason of an isolated server.

    The simulator follows the contract (the first reason stays), so this case needs a stand-in.
    """

    async def isolate(self, server_id: str, *, reason: str | None, force: bool) -> Server:
        return _server(reason)


def test_a_server_that_accepts_the_new_reason_is_reported_as_updated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = Namespace(reason="new disks", force=False, json=False)
    before = _server("patching")
    actions = _ReasonUpdatingActions()
    asyncio.run(isolation.isolate(args, actions, [before], before))  # type: ignore[arg-type]
    line = capsys.readouterr().out.strip()
    assert "was already isolated since" in line
    assert "(5 min ago) by admin with reason 'new disks'." in line
    assert line.endswith("Its reason was updated to 'new disks'.")


def test_watch_json_prints_one_compact_document_per_update(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    console.add(simulator)
    result = console.run(
        "watch", "--json", "--count", "2", "--interval", "0.5", password=simulator.info.password
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    updates = [json.loads(line) for line in lines]
    for update in updates:
        assert set(update) == {"cluster", "source_url", "received_at", "servers"}
        assert [s["id"] for s in update["servers"]] == [
            e.server_id for e in simulator.info.endpoints
        ]
        datetime.fromisoformat(update["received_at"])
    assert updates[0]["received_at"] < updates[1]["received_at"]
    for line, update in zip(lines, updates, strict=True):  # compact: no spaces between tokens
        assert line == json.dumps(update, separators=(",", ":"), ensure_ascii=False)
