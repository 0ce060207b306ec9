"""``ekran-console-cli rollout`` against the simulator as a real process; the test plays
the admin who stops, upgrades and starts each drained server.

The run's steps, messages and exit codes run in-process (``InProcessRollout``); a console
killed mid-run, Ctrl+C and two runs at once are about the process and run one
(``RolloutRun``)."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest

from tests.app.cli.inprocess import InProcessCli
from tests.app.cli.rollout_process import (
    SIM_ARGS,
    InProcessRollout,
    RolloutRun,
    add_connection,
    upgrade,
)
from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

pytestmark = [
    pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning"),
    pytest.mark.spread,  # minutes of waiting on drains and restarts: not all on one worker
]

NEW = "9.3.0.1300"
STEPS = ["isolating", "draining", "waiting_restart", "verifying", "returning", "settling", "done"]


@pytest.fixture
def sim(start_simulator: StartSimulator) -> SimulatorProcess:
    return start_simulator(*SIM_ARGS, "--drain-seconds", "60")


@pytest.fixture
def home(console: InProcessCli, sim: SimulatorProcess) -> Path:
    add_connection(console, sim)
    return console.home


def audit_lines(home: Path) -> list[dict[str, str]]:
    text = (home / "data" / "audit.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def servers_of(sim: SimulatorProcess) -> dict[str, dict[str, object]]:
    return {s["id"]: s for s in sim.state()["servers"]}


def test_a_full_run_of_three_servers_with_a_target_version(
    sim: SimulatorProcess, home: Path, console: InProcessCli
) -> None:
    run = InProcessRollout(
        console, sim, "--target-version", NEW, "--settle", "1", "--reason", "Upgrade"
    )
    try:
        for server_id in ("as-01", "as-02", "as-03"):
            instruction = run.wait_step(server_id, "waiting_restart")
            assert instruction["kind"] == "instruction"
            assert instruction["clients"] == 0
            assert (
                f"has no Clients left: stop and upgrade it to {NEW} now" in instruction["message"]
            )
            # every other server is online while this one is down
            others = [s for sid, s in servers_of(sim).items() if sid != server_id]
            assert all(s["status"] == "online" for s in others)
            if server_id == "as-02":
                sim.add_fault(kind="expire_tokens")  # the run carries on with a new token
            upgrade(sim, server_id, NEW)
        assert run.finish() == 0, run.stderr
    finally:
        run.kill()
    final = servers_of(sim)
    assert {s["version"] for s in final.values()} == {NEW}
    assert all(s["status"] == "online" and s["isolation"] is None for s in final.values())
    for line in run.lines:
        assert {"server", "step", "state", "clients", "at"} <= set(line)
    for server_id in ("as-01", "as-02", "as-03"):
        steps = [
            ln["step"] for ln in run.lines if ln["server"] == server_id and ln["kind"] != "progress"
        ]
        assert [s for s in STEPS if s in steps] == STEPS
        drain = [ln for ln in run.lines if ln["server"] == server_id and ln["kind"] == "progress"]
        assert drain
        assert "left of" in drain[0]["message"]
    assert run.lines[-1]["kind"] == "finished"
    # the audit trail holds every step and every action
    audit = audit_lines(home)
    for server_id in ("as-01", "as-02", "as-03"):
        mine = [a for a in audit if a["server"] == server_id]
        steps = [a["detail"].split(":")[0] for a in mine if a["action"] == "rollout"]
        assert list(dict.fromkeys(steps)) == STEPS
        actions = [(a["action"], a["result"]) for a in mine if a["action"] != "rollout"]
        assert ("isolate", "ok") in actions
        assert ("return", "ok") in actions
        assert ("version", "ok") in actions
        assert next(a for a in mine if a["action"] == "isolate")["detail"] == "Upgrade"
    assert any(a["action"] == "rollout" and "finished" in a["detail"] for a in audit)


def test_another_server_stopped_mid_run_pauses_it_and_a_rerun_resumes_once_it_is_back(
    sim: SimulatorProcess, home: Path, console: InProcessCli
) -> None:
    run = InProcessRollout(console, sim, "as-01", "--settle", "1")
    try:
        run.wait_step("as-01", "waiting_restart")
        sim.stop_server("as-03")
        assert run.finish() == 5
    finally:
        run.kill()
    error = run.lines[-1]
    assert (error["kind"], error["reason"], error["server"]) == ("error", "other_server", "as-01")
    assert "EKRAN-AS03 is" in error["message"]
    assert "EKRAN-AS03 is" in run.stderr
    assert servers_of(sim)["as-01"]["status"] == "isolated"  # left as it is

    again = InProcessRollout(console, sim, "as-01", "--settle", "1")
    assert again.finish() == 5  # still offline: the resume is refused
    assert again.lines[-1]["reason"] == "other_server"

    sim.advance(5)
    sim.start_server("as-03")
    sim.advance(10)
    resumed = InProcessRollout(console, sim, "as-01", "--settle", "1")
    try:
        note = resumed.wait_for(lambda ln: ln["kind"] == "note", "the resume note")
        assert "at EKRAN-AS01 (stop and upgrade)" in note["message"]
        resumed.wait_for(lambda ln: ln["kind"] == "resumed", "resumed")
        upgrade(sim, "as-01", "9.2.4.1271")
        assert resumed.finish() == 0, resumed.stderr
    finally:
        resumed.kill()
    assert servers_of(sim)["as-01"]["status"] == "online"
    isolations = [a for a in audit_lines(home) if a["action"] == "isolate"]
    assert len(isolations) == 1  # the resumed run did not isolate it again


def test_the_drain_timeout_pauses_the_run(
    start_simulator: StartSimulator, console: InProcessCli
) -> None:
    slow = start_simulator(*SIM_ARGS, "--drain-seconds", "36000")
    add_connection(console, slow)
    run = InProcessRollout(console, slow, "as-02", "--drain-timeout", "2")
    try:
        assert run.finish() == 5
    finally:
        run.kill()
    error = run.lines[-1]
    assert error["reason"] == "drain_timeout"
    assert "after 2 s (the drain timeout)" in error["message"]
    assert servers_of(slow)["as-02"]["status"] == "isolated"
    assert servers_of(slow)["as-02"]["clients"] > 0


def test_a_wrong_version_after_restart_pauses_until_it_is_upgraded_again(
    sim: SimulatorProcess, home: Path, console: InProcessCli
) -> None:
    run = InProcessRollout(console, sim, "as-02", "--target-version", NEW, "--settle", "1")
    try:
        run.wait_step("as-02", "waiting_restart")
        upgrade(sim, "as-02", "9.2.9.9999")
        assert run.finish() == 5
    finally:
        run.kill()
    error = run.lines[-1]
    assert error["reason"] == "wrong_version"
    assert f"came back on version 9.2.9.9999, not {NEW}" in error["message"]
    assert servers_of(sim)["as-02"]["status"] == "isolated"  # not returned to service

    upgrade(sim, "as-02", NEW)
    sim.advance(10)
    again = InProcessRollout(console, sim, "as-02", "--target-version", NEW, "--settle", "1")
    try:
        assert again.finish() == 0, again.stderr
    finally:
        again.kill()
    assert servers_of(sim)["as-02"]["status"] == "online"


def test_a_console_killed_mid_run_resumes_at_the_right_step(
    sim: SimulatorProcess, home: Path
) -> None:
    run = RolloutRun(home, sim, "as-01", "as-02", "--target-version", NEW, "--settle", "1")
    try:
        run.wait_step("as-01", "waiting_restart")
    finally:
        run.kill()  # a crash: no chance to save anything more
    upgrade(sim, "as-01", NEW)  # the admin upgrades it while no console runs
    sim.advance(10)
    again = RolloutRun(home, sim, "--settle", "1")  # same connection: the saved plan wins
    try:
        note = again.wait_for(lambda ln: ln["kind"] == "note", "the resume note")
        assert "at EKRAN-AS01 (stop and upgrade)" in note["message"]
        again.wait_step("as-01", "verifying")
        again.wait_step("as-02", "waiting_restart")
        upgrade(sim, "as-02", NEW)
        assert again.finish() == 0, again.stderr
    finally:
        again.kill()
    assert not any(ln["server"] == "as-03" for ln in again.lines if "server" in ln)
    isolations = [a["server"] for a in audit_lines(home) if a["action"] == "isolate"]
    assert isolations == ["as-01", "as-02"]


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT, which Windows lacks")
def test_ctrl_c_leaves_the_server_as_it_is_and_a_second_run_resumes(
    sim: SimulatorProcess, home: Path
) -> None:
    run = RolloutRun(home, sim, "as-03", "--settle", "1")
    try:
        run.wait_step("as-03", "waiting_restart")
        run.proc.send_signal(signal.SIGINT)
        assert run.finish() == 130
    finally:
        run.kill()
    assert "Stopped waiting: EKRAN-AS03 is left as it is (stop and upgrade, isolated)" in run.stderr
    assert "Run the same command again to resume." in run.stderr
    assert servers_of(sim)["as-03"]["status"] == "isolated"
    assert audit_lines(home)[-1]["result"] == "cancelled"

    again = RolloutRun(home, sim, "as-03", "--settle", "1")
    try:
        again.wait_for(lambda ln: ln["kind"] == "note", "the resume note")
        upgrade(sim, "as-03", "9.1.9.1200")
        assert again.finish() == 0, again.stderr
    finally:
        again.kill()
    assert servers_of(sim)["as-03"]["version"] == "9.1.9.1200"


def test_one_run_per_connection_and_a_check_without_restart(
    sim: SimulatorProcess, home: Path
) -> None:
    run = RolloutRun(home, sim, "as-01", "--settle", "1")
    try:
        run.wait_step("as-01", "waiting_restart")  # holds the run's lock while it waits
        second = RolloutRun(home, sim, "as-02")
        assert second.finish() == 5
        assert "already running" in second.stderr
        upgrade(sim, "as-01", "9.2.4.1271")
        assert run.finish() == 0, run.stderr
    finally:
        run.kill()
    # standard input is closed: the check without restart is "done" once drained
    check = RolloutRun(home, sim, "as-02", "--no-restart", "--settle", "1")
    assert check.finish() == 0, check.stderr
    steps = [ln["step"] for ln in check.lines if ln.get("server") == "as-02"]
    assert "waiting_done" in steps
    assert "waiting_restart" not in steps
    assert servers_of(sim)["as-02"]["status"] == "online"
