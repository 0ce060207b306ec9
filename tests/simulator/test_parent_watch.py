"""``--parent-pid`` and ``--remove-tls-dir``: a simulator never outlives the program that
started it, and can take its CA's private key with it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from simulator.cli import parse_options
from tests.conftest import StartSimulator
from tests.helpers.processes import process_running, wait_until_ended
from tests.helpers.simulator_process import ROOT

EXIT_DEADLINE_S = 15.0


def test_the_options_are_parsed() -> None:
    options = parse_options(["--parent-pid", "4242", "--remove-tls-dir", "--tls-dir", "t"])
    assert options.parent_pid == 4242
    assert options.remove_tls_dir
    assert parse_options([]).parent_pid is None
    assert not parse_options([]).remove_tls_dir


def test_the_simulator_stops_cleanly_when_the_watched_process_ends(
    start_own_simulator: StartSimulator,
) -> None:
    watched = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    try:
        sim = start_own_simulator("--servers", "1", "--parent-pid", str(watched.pid))
        assert sim.proc is not None
        assert sim.proc.poll() is None, "running while the watched process runs"
    finally:
        watched.kill()
        watched.wait()

    assert sim.proc.wait(EXIT_DEADLINE_S) == 0
    assert not sim.ready_file.exists()
    assert sim.tls_dir.exists(), "a given TLS folder is kept without --remove-tls-dir"


def test_remove_tls_dir_deletes_the_ca_key_on_a_clean_stop(
    start_own_simulator: StartSimulator,
) -> None:
    sim = start_own_simulator("--servers", "1", "--remove-tls-dir")
    assert (sim.tls_dir / "ca-key.pem").is_file()

    assert sim.stop() == 0
    assert not sim.tls_dir.exists()


def test_a_parent_killed_outright_takes_its_simulator_along(tmp_path: Path) -> None:
    # A parent that starts the simulator as the console's demo does, then is killed
    # without a chance to stop it (SIGKILL; TerminateProcess on Windows).
    parent_script = textwrap.dedent(
        f"""
        import os, subprocess, sys, time
        from pathlib import Path
        work = Path({str(tmp_path)!r})
        ready = work / "ready.json"
        child = subprocess.Popen([
            sys.executable, "-m", "simulator", "--servers", "1", "--base-port", "0",
            "--tls-dir", str(work / "tls"), "--remove-tls-dir", "--ready-file", str(ready),
            "--parent-pid", str(os.getpid()),
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not ready.exists():
            time.sleep(0.05)
        print(child.pid, flush=True)
        time.sleep(300)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", parent_script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as parent:
        try:
            assert parent.stdout is not None
            simulator_pid = int(parent.stdout.readline())
            assert process_running(simulator_pid)
        finally:
            parent.kill()
            parent.wait()

    assert wait_until_ended(simulator_pid, 5.0), "the simulator outlived its parent by 5 s"
    assert not (tmp_path / "tls").exists(), "it stopped cleanly and took the CA's key along"
