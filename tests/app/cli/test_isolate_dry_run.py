"""``isolate --dry-run``: the isolate dialog's projection on the command line, checked
against where the simulator's load balancer really puts the Clients.

The simulator runs with time frozen and no churn (``--churn 0``): no Client leaves or
arrives, so every Client still to move can be counted exactly.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.cli.inprocess import InProcessCli
from tests.conftest import StartSimulator

EXACT = ("--servers", "4", "--clients", "200", "--time-scale", "0", "--churn", "0")


@pytest.fixture
def cli(console: InProcessCli) -> InProcessCli:
    """In-process: the subject is what the command does and says, not the process."""
    return console


def _clients(state: Any) -> dict[str, int]:
    return {s["id"]: s["clients"] for s in state["servers"]}


def test_dry_run_counts_the_clients_still_draining_off_an_isolated_server(
    cli: InProcessCli, start_simulator: StartSimulator
) -> None:
    sim = start_simulator(*EXACT)
    cli.add(sim, "Demo", "--capacity", "150")
    pw = sim.info.password
    assert _clients(sim.state()) == {"as-01": 50, "as-02": 50, "as-03": 50, "as-04": 50}
    cli.run("isolate", "as-02", password=pw)
    sim.advance(12)  # a tenth of its 120 s drain: 5 of its 50 Clients have moved
    before = _clients(sim.state())
    assert before == {"as-01": 52, "as-02": 45, "as-03": 52, "as-04": 51}

    plan = cli.json("isolate", "as-01", "as-03", "--dry-run", password=pw)
    assert plan["dry_run"] is True
    assert plan["clients_to_move"] == 52 + 52 + 45
    assert [(s["id"], s["clients"]) for s in plan["still_leaving"]] == [("as-02", 45)]
    assert plan["staying"] == [
        {
            "id": "as-04",
            "name": "EKRAN-AS04",
            "clients_now": 51,
            "clients_after": 200,
            "over_capacity": True,
        }
    ]
    assert plan["capacity"] == 150
    assert plan["leaves_one_serving"] is True
    assert plan["warnings"] == [
        "Only EKRAN-AS04 would stay in service: it would carry 200 Clients, with no other "
        "server to take them if it fails.",
        "EKRAN-AS04 would carry 200 Clients, more than the 150 per server this connection allows.",
    ]
    text = cli.run("isolate", "as-01", "as-03", "--dry-run", password=pw).stdout
    assert "Dry run, nothing was changed. Isolating would move 149 Clients:" in text
    assert "104 Clients on EKRAN-AS01 and EKRAN-AS03, and 45 still leaving EKRAN-AS02" in text
    assert "EKRAN-AS04        51           200 (over capacity)" in text
    assert "warning: Only EKRAN-AS04 would stay in service" in text
    assert _clients(sim.state()) == before  # a dry run changes nothing

    # Now for real: once every drain has run its course, AS04 carries what was projected.
    cli.run("isolate", "as-01", password=pw)
    cli.run("isolate", "as-03", password=pw)
    sim.advance(121)
    assert _clients(sim.state()) == {"as-01": 0, "as-02": 0, "as-03": 0, "as-04": 200}


def test_several_servers_are_isolated_one_at_a_time(
    cli: InProcessCli, start_simulator: StartSimulator
) -> None:
    sim = start_simulator(*EXACT)
    cli.add(sim)
    refused = cli.run("isolate", "as-01", "as-03", password=sim.info.password, check=2)
    assert "Isolate one server at a time (several only with --dry-run)." in refused.stderr
    assert all(s["status"] == "online" for s in sim.state()["servers"])
