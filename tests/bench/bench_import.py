"""Benchmark: ``connections import`` of a large export, as a user runs it.

Run: ``.venv/bin/python -m tests.bench.bench_import [--count 10000] [--runs 3]``.

Writes an export of ``--count`` connections (two of them invalid, so the skipped-entry
report is exercised), then runs ``python -m app.cli connections import`` in a fresh
process into an empty console home, ``--runs`` times. Prints the wall time and the
process's CPU time (user + system) of each run, the size of the export and what the
command printed. Wall time depends on the machine's load; CPU time much less so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.connections.transfer import export_connections
from tests.bench.measure import load_average, machine_description
from tests.helpers.profiles import profile_factory
from tests.helpers.simulator_process import ROOT


def write_export(path: Path, count: int) -> None:
    make = profile_factory()
    profiles = [make(name=f"Site {i:05d}", group=f"Region {i % 20}") for i in range(count)]
    export_connections(profiles, path)
    document = json.loads(path.read_bytes())
    document["connections"][5]["urls"] = []
    document["connections"][7]["name"] = "bad\x1b[31m"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_import")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        export = workdir / "export.json"
        write_export(export, args.count)
        print(f"{machine_description()}; load {load_average()[0]:.2f}")
        print(f"export: {args.count} connections, {export.stat().st_size / 1e6:.1f} MB")
        for run in range(args.runs):
            home = workdir / f"home{run}"
            env = {**os.environ, "EKRAN_CONSOLE_HOME": str(home)}
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "app.cli", "connections", "import", str(export)],
                cwd=ROOT, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            print(
                f"run {run + 1}: wall {wall:.2f} s, CPU {cpu:.2f} s, load "
                f"{load_average()[0]:.2f}: {done.stdout.strip()}"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
