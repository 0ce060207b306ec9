"""ConnectionStore across processes: killed writers, concurrent writers, the OS-held lock."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.connections.errors import StoreLockTimeoutError
from app.connections.store import ConnectionStore
from app.paths import AppPaths
from tests.app.connections.workers import GENERATION_SIZE, generation_of

ROOT = Path(__file__).resolve().parents[3]
DEADLINE_S = 60.0


def start_worker(*args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.app.connections.workers", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        text=True,
    )


@contextmanager
def collected_lines(process: subprocess.Popen[str]) -> Iterator[list[str]]:
    """Collect the process's stdout lines in a list while the block runs (and until EOF)."""
    lines: list[str] = []
    assert process.stdout is not None
    stdout = process.stdout
    reader = threading.Thread(target=lambda: lines.extend(line.strip() for line in stdout))
    reader.start()
    try:
        yield lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=DEADLINE_S)
        reader.join(timeout=DEADLINE_S)
        stdout.close()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


def run_saver_and_kill(home: Path, delay_s: float) -> int:
    """Start ``save-loop``, kill it ``delay_s`` after its first save; the last acknowledged
    generation."""
    process = start_worker("save-loop", str(home))
    with collected_lines(process) as lines:
        wait_until(lambda: bool(lines) or process.poll() is not None, "the first save")
        time.sleep(delay_s)  # a random moment inside the save loop, not a wait for a state
        process.kill()
    assert lines, "the writer stopped before saving"
    return int(lines[-1])


def test_killed_writer_never_loses_the_last_saved_state(tmp_path: Path) -> None:
    """A writer SIGKILLed at random moments leaves the last acknowledged save or the next one."""
    home = tmp_path / "home"
    store = ConnectionStore(AppPaths.under(home))
    rng = random.Random(20240611)
    for round_number in range(12):
        acknowledged = run_saver_and_kill(home, delay_s=rng.uniform(0.0, 0.05))

        result = store.load()

        assert result.problems == [], f"round {round_number}"
        generations = {generation_of(p) for p in result.profiles}
        assert len(result.profiles) == GENERATION_SIZE, f"round {round_number}"
        assert len(generations) == 1, f"round {round_number}: mixed {generations}"
        assert generations <= {acknowledged, acknowledged + 1}, f"round {round_number}"


def test_concurrent_edits_from_two_processes_are_all_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    go = tmp_path / "go"
    count = 25
    workers = [start_worker("add-many", str(home), tag, str(count), str(go)) for tag in "AB"]
    try:
        go.touch()
        for worker in workers:
            assert worker.wait(timeout=DEADLINE_S * 2) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            assert worker.stdout is not None
            worker.stdout.close()

    names = {p.name for p in ConnectionStore(AppPaths.under(home)).load().profiles}
    assert names == {f"{tag} {n}" for tag in "AB" for n in range(count)}


def test_lock_held_by_another_process_blocks_until_it_dies(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "home")
    paths.config_dir.mkdir(parents=True)
    store = ConnectionStore(paths, lock_timeout_s=0.2)
    holder = start_worker(
        "hold-lock", str(paths.config_dir / "connections.json.lock"), stdin=subprocess.PIPE
    )
    with collected_lines(holder) as lines:
        wait_until(lambda: lines == ["locked"] or holder.poll() is not None, "the lock holder")
        assert lines == ["locked"]
        with pytest.raises(StoreLockTimeoutError):
            store.load()
        holder.kill()  # no clean release: the operating system frees the lock
        holder.wait(timeout=DEADLINE_S)
        assert store.load().profiles == []
    assert holder.stdin is not None
    holder.stdin.close()
