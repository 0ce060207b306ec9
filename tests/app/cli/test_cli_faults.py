"""The command line when a URL fails, a sign-in is locked, or an option is wrong.

Run in-process (``console``): the subject is what the command does and says, not the
process boundary (``test_cli_end_to_end`` keeps that).
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from tests.app.cli.inprocess import InProcessCli
from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

CLUSTER = "/api/v1/cluster"


@pytest.fixture
def cli(console: InProcessCli) -> InProcessCli:
    return console


def two_urls(sim: SimulatorProcess) -> list[str]:
    first, second = sim.url_of("as-01"), sim.url_of("as-02")
    return ["--url", first, "--url", second, "--user", sim.info.username,
            "--ca", str(sim.info.ca_file)]  # fmt: skip


def test_a_5xx_on_the_first_url_moves_to_the_next_and_says_so(
    cli: InProcessCli,
    simulator: SimulatorProcess,
) -> None:
    simulator.add_fault(kind="fail", status=503, server_id="as-01", path=CLUSTER)
    result = cli.run("servers", *two_urls(simulator), password=simulator.info.password)
    assert f"note: {simulator.url_of('as-01')} failed" in result.stderr
    assert f"note: {simulator.url_of('as-02')} answered." in result.stderr
    assert f"via {simulator.url_of('as-02')}" in result.stdout


def test_a_refused_redirect_moves_to_the_next_url(
    cli: InProcessCli, simulator: SimulatorProcess
) -> None:
    elsewhere = "https://elsewhere.invalid/EkranSystem/api/v1/cluster"
    simulator.add_fault(kind="redirect", location=elsewhere, server_id="as-01", path=CLUSTER)
    result = cli.run("servers", *two_urls(simulator), password=simulator.info.password)
    assert "redirect" in result.stderr
    assert f"note: {simulator.url_of('as-02')} answered." in result.stderr


def test_an_ad_hoc_bad_pin_is_a_usage_error(cli: InProcessCli) -> None:
    result = cli.run(
        "servers", "--url", "https://127.0.0.1:9/EkranSystem", "--user", "admin",
        "--pin", "zz", password="x", check=2,
    )  # fmt: skip
    assert "pydantic" not in result.stderr
    assert "Unexpected" not in result.stderr
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_too_many_requests_is_an_authentication_exit_with_one_advice(
    cli: InProcessCli,
    simulator: SimulatorProcess,
) -> None:
    cli.add(simulator)
    simulator.add_fault(kind="fail", status=429, retry_after=60, path="/auth/token", count=None)
    result = cli.run("servers", password=simulator.info.password, check=4)
    assert result.stderr.casefold().count("try again") == 1


def test_a_locked_out_account_exits_4_and_says_try_again_once(
    cli: InProcessCli,
    start_simulator: StartSimulator,
) -> None:
    # The five failures must fall within the lockout window however slow the machine: in
    # a loaded Windows test run (Wine, four test processes and a freeze) this test took
    # 292 s, and the default 60 s window had let the first failures go before the last.
    simulator = start_simulator(
        "--servers", "4", "--clients", "200", "--seed", "1", "--lockout-window", "3600"
    )  # fmt: skip
    cli.add(simulator)
    for _ in range(5):
        cli.run("servers", password="wrong-password", check=4)
    result = cli.run("servers", password=simulator.info.password, check=4)
    assert "try again" in result.stderr.casefold()
    assert result.stderr.casefold().count("try again") == 1


def test_logs_out_naming_a_file_says_it_is_not_a_folder(
    cli: InProcessCli,
    simulator: SimulatorProcess,
    tmp_path: Path,
) -> None:
    cli.add(simulator)
    a_file = tmp_path / "passwd"
    a_file.write_text("root:x:0:0\n", encoding="utf-8")
    result = cli.run("logs", "as-01", "--out", str(a_file), password=simulator.info.password,
                     check=2)  # fmt: skip
    assert "is a file, not a folder" in result.stderr
    assert "does not exist" not in result.stderr
    assert a_file.read_text(encoding="utf-8") == "root:x:0:0\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_downloaded_archive_is_owner_only(
    cli: InProcessCli,
    simulator: SimulatorProcess,
    tmp_path: Path,
) -> None:
    cli.add(simulator)
    out = tmp_path / "out"
    out.mkdir()
    path = Path(
        cli.json("logs", "as-01", "--out", str(out), password=simulator.info.password)["file"]
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
