"""Plumbing shared by the benchmarks: simulators, client settings and worker processes.

Measured code runs in a *worker*: a fresh ``python -m tests.bench.<worker>`` process
that reads one JSON object (its configuration, passwords included) on stdin and
prints one JSON object (its figures) as the last line on stdout. Passwords therefore
never appear on a command line, where other users could read them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from argparse import Namespace
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from app.api.settings import EndpointSettings, ProxyMode, ProxySetting, TlsTrust, TrustMode
from tests.helpers.simulator_process import ROOT, SimulatorProcess

TOKEN_PATH = "/api/v1/auth/token"


class WorkerError(RuntimeError):
    """A benchmark worker process failed; the message carries its stderr tail."""


@contextlib.contextmanager
def simulators(
    workdir: Path, arguments: Sequence[Sequence[str]]
) -> Iterator[list[SimulatorProcess]]:
    """Start one simulator per argument list under ``workdir``; stop them all on exit."""
    started: list[SimulatorProcess] = []
    try:
        for index, args in enumerate(arguments):
            sim = SimulatorProcess(workdir / f"sim{index}", list(args))
            started.append(sim)
            sim.start()
        yield started
    finally:
        for sim in started:
            sim.stop()


def connection_config(sim: SimulatorProcess, urls: Sequence[str], name: str) -> dict[str, Any]:
    """What a worker needs to build a ``ManagementClient`` for ``urls`` of ``sim``."""
    return {
        "name": name,
        "urls": list(urls),
        "ca_file": str(sim.info.ca_file),
        "username": sim.info.username,
        "password": sim.info.password,
    }


def endpoint_settings(config: dict[str, Any]) -> EndpointSettings:
    """Settings from a ``connection_config``: the simulator's CA, no proxy."""
    return EndpointSettings(
        urls=tuple(config["urls"]),
        username=config["username"],
        trust=TlsTrust(mode=TrustMode.CA_FILE, ca_file=Path(config["ca_file"])),
        proxy=ProxySetting(mode=ProxyMode.NONE),
    )


def access_token(sim: SimulatorProcess, base_url: str) -> str:
    """A bearer token for the simulator's administrator (for tools other than ours)."""
    response = httpx.post(
        base_url + TOKEN_PATH,
        json={"username": sim.info.username, "password": sim.info.password},
        verify=sim.verify,
        timeout=30.0,
        trust_env=False,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def start_worker(module: str, config: dict[str, Any], stderr_path: Path) -> subprocess.Popen[str]:
    """Start ``python -m tests.bench.<module>`` and hand it ``config`` on stdin."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with stderr_path.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", f"tests.bench.{module}"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
        )
    assert process.stdin is not None
    process.stdin.write(json.dumps(config))
    process.stdin.close()
    return process


def finish_worker(process: subprocess.Popen[str], stderr_path: Path) -> dict[str, Any]:
    """Wait for a worker and return the JSON object on its last stdout line."""
    assert process.stdout is not None
    output = process.stdout.read()
    code = process.wait()
    lines = output.strip().splitlines()
    if code != 0 or not lines:
        tail = "\n".join(stderr_path.read_text(encoding="utf-8").splitlines()[-30:])
        raise WorkerError(f"worker exited with status {code}:\n{tail}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run_worker(module: str, config: dict[str, Any], stderr_path: Path) -> dict[str, Any]:
    """``start_worker`` then ``finish_worker``."""
    return finish_worker(start_worker(module, config, stderr_path), stderr_path)


def read_config() -> dict[str, Any]:
    """In a worker: the configuration the parent wrote on stdin."""
    config: dict[str, Any] = json.loads(sys.stdin.read())
    return config


def emit_result(result: dict[str, Any]) -> None:
    """In a worker: hand the figures to the parent (one JSON line on stdout)."""
    print(json.dumps(result), flush=True)


def run_in_scratch(
    args: Namespace,
    prefix: str,
    run: Callable[[Namespace, Path], dict[str, Any]],
    revision: str,
) -> dict[str, Any]:
    """Run a benchmark in ``args.workdir`` (or a temporary folder, removed afterwards).

    ``revision`` is taken before the run, since the tree may change while it lasts. The
    result (with the revision) is written to ``args.json`` when given, and returned.
    """
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=prefix))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"scratch folder: {workdir} (pid {os.getpid()})", flush=True)
    try:
        result = run(args, workdir) | {"revision": revision}
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result
