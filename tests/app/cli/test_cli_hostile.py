"""The command line against a hostile server: nothing it chose reaches the terminal raw.

Run in-process (``console``): what is printed is the subject, not the process boundary.
"""

from __future__ import annotations

import json

import pytest

from app.text_safety import is_unsafe
from tests.app.cli.inprocess import InProcessCli
from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

HOSTILE = "ctl\x1b[31mRED\x1b[0m\r\nFAKE line\x07"
SHOWN = "ctl\\x1b[31mRED\\x1b[0m\\r\\nFAKE line\\x07"
RTL = "report\u202eexe.txt"


@pytest.fixture
def cli(console: InProcessCli) -> InProcessCli:
    return console


def raw_controls(text: str) -> list[str]:
    """Unsafe characters in ``text`` other than the line breaks the command prints itself."""
    return [hex(ord(ch)) for ch in text if is_unsafe(ch) and ch != "\n"]


@pytest.fixture
def hostile(start_simulator: StartSimulator) -> SimulatorProcess:
    sim = start_simulator("--servers", "3", "--clients", "30", "--seed", "3", "--time-scale", "0")
    first, second, third = (e.server_id for e in sim.info.endpoints)
    sim.control(
        "POST", f"servers/{first}/rename", {"name": HOSTILE, "version": "9.9\x1b]0;pwned\x07"}
    )
    sim.control("POST", f"servers/{second}/rename", {"name": RTL})
    sim.control("POST", f"servers/{third}/rename", {"name": "N" * 10_000})
    return sim


def test_servers_prints_escapes_not_the_sequences(
    cli: InProcessCli, hostile: SimulatorProcess
) -> None:
    cli.add(hostile)
    out = cli.run("servers", password=hostile.info.password).stdout
    assert raw_controls(out) == []
    assert SHOWN in out
    assert "report\\u202eexe.txt" in out
    assert "N" * 10_000 not in out
    assert "N" * 70 + "…" in out
    assert "9.9\\x1b]0;pwned\\x07" in out


def test_servers_json_keeps_the_full_names_escaped(
    cli: InProcessCli, hostile: SimulatorProcess
) -> None:
    cli.add(hostile)
    result = cli.run("servers", "--json", password=hostile.info.password)
    assert raw_controls(result.stdout) == []
    names = {s["name"] for s in json.loads(result.stdout)}
    assert {HOSTILE, RTL, "N" * 10_000} == names


def test_version_prints_the_name_and_version_escaped(
    cli: InProcessCli, hostile: SimulatorProcess
) -> None:
    cli.add(hostile)
    server_id = hostile.info.endpoints[0].server_id
    out = cli.run("version", server_id, password=hostile.info.password).stdout
    assert raw_controls(out) == []
    assert out.startswith(SHOWN + ": 9.9\\x1b]0;pwned\\x07")


def test_watch_prints_escapes_and_counts_not_modified_updates(
    cli: InProcessCli,
    hostile: SimulatorProcess,
) -> None:
    """Time is frozen, so every poll after the first is answered 304 Not Modified."""
    cli.add(hostile)
    result = cli.run("watch", "--count", "3", "--interval", "0.5", password=hostile.info.password)
    assert raw_controls(result.stdout) == []
    assert result.stdout.count(SHOWN) == 3  # the first snapshot, then two unchanged ones
    statuses = [r["status"] for r in hostile.control("GET", "requests") if "/cluster" in r["path"]]
    assert 304 in statuses


def test_watch_json_counts_not_modified_updates(
    cli: InProcessCli, hostile: SimulatorProcess
) -> None:
    cli.add(hostile)
    result = cli.run(
        "watch", "--json", "--count", "2", "--interval", "0.5", password=hostile.info.password
    )
    assert raw_controls(result.stdout) == []
    assert result.stdout.count('"ctl\\u001b[31mRED') == 2


def test_isolate_and_return_say_what_happened_with_the_name_escaped(
    cli: InProcessCli,
    hostile: SimulatorProcess,
) -> None:
    cli.add(hostile)
    server_id = hostile.info.endpoints[0].server_id
    password = hostile.info.password
    reason = "disks\x1b[2J"
    first = cli.run("isolate", server_id, "--reason", reason, password=password).stdout
    again = cli.run("isolate", server_id, password=password).stdout
    back = cli.run("return", server_id, password=password).stdout
    for out in (first, again, back):
        assert raw_controls(out) == []
    assert first.startswith(f"{SHOWN} is isolated")
    assert again.startswith(f"{SHOWN} was already isolated since ")
    assert "with reason 'disks\\x1b[2J'. Nothing changed." in again
    assert back.startswith(f"{SHOWN} is back in service (")
    isolated = cli.run("isolate", server_id, "--json", "--reason", reason, password=password)
    document = json.loads(isolated.stdout)
    assert (document["name"], document["changed"]) == (HOSTILE, True)
    assert document["isolation"]["reason"] == reason
