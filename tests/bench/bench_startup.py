"""Start-up benchmark: how long after launch the console's window first paints, next to a
bare PySide6 window on the same machine at the same moment.

Run: ``.venv/bin/python -m tests.bench.bench_startup [--runs 7]``.

Each run launches a fresh Python process (offscreen Qt, a throw-away console home) and
takes the wall time from just before the launch to the first paint event of the main
window; the process then ends at once. The two kinds of run alternate (bare, console,
bare, console, ...) so that both see the same load, and the medians and their ratio are
printed (target: the console within 3x the bare window). ``--profile`` also prints the
console's slowest imports up to its first paint (``python -X importtime``).

Like the installed console (the frozen build carries compiled modules; ``pip install``
compiles them), the launched processes read compiled modules: a bytecode cache in the
scratch folder (``PYTHONPYCACHEPREFIX``), written by the unmeasured first launch of each
kind, so the checkout gets no ``__pycache__``. ``--source-only`` compiles every module
of the project on every launch instead, as a checkout run with
``PYTHONDONTWRITEBYTECODE`` does.

The child mode (``--child bare|console``) is what each launched process runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The launched processes import nothing of the benchmark's own helpers: what they import
# is what is measured. ``ROOT`` is this checkout.
ROOT = Path(__file__).resolve().parents[2]
WINDOW_SIZE = (1280, 800)
CHILD_TIMEOUT_S = 120.0
IMPORT_LINES = 25


# -- in the launched process ----------------------------------------------------------------
def _watch_first_paint(qt_app: Any, is_main_window: Any) -> None:
    """Print the wall time of the main window's first paint event, then end the process."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and is_main_window(watched):
                print(json.dumps({"first_paint": time.time()}), flush=True)
                os._exit(0)  # the measurement is taken; nothing else is measured
            return False

    watcher = FirstPaint(qt_app)
    qt_app.installEventFilter(watcher)


def child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    qt_app = QApplication(sys.argv[:1])
    window = QMainWindow()
    _watch_first_paint(qt_app, lambda watched: watched is window)
    window.resize(*WINDOW_SIZE)
    window.show()
    qt_app.exec()


def child_console() -> None:
    from ui import app as console_app

    create_application = console_app.create_application

    def create_and_watch() -> Any:
        qt_app = create_application()
        _watch_first_paint(qt_app, lambda watched: watched.objectName() == "mainWindow")
        return qt_app

    console_app.create_application = create_and_watch  # type: ignore[assignment]
    sys.exit(console_app.main([]))


# -- in the benchmark process ---------------------------------------------------------------
def launch(
    kind: str, home: Path, *, pycache: Path | None, importtime: bool = False
) -> tuple[float, str]:
    """Seconds from launch to first paint of one fresh process; and its stderr.

    ``pycache``: the bytecode cache the process reads and writes; None: none at all.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EKRAN_CONSOLE_HOME": str(home)}
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    command = [sys.executable, *(["-X", "importtime"] if importtime else [])]
    command += ["-m", "tests.bench.bench_startup", "--child", kind]
    started = time.time()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])["first_paint"] - started, done.stderr


def slowest_imports(stderr: str, count: int = IMPORT_LINES) -> list[str]:
    """The top-level imports with the largest cumulative time, from ``-X importtime``."""
    rows: list[tuple[int, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if cumulative.strip().isdigit():
            rows.append((int(cumulative), name.rstrip()))
    rows.sort(reverse=True)
    return [f"{us / 1000:8.1f} ms {name}" for us, name in rows[:count]]


def main() -> None:
    from tests.bench.measure import load_average, machine_description

    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_startup")
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (default 7)")
    parser.add_argument("--profile", action="store_true", help="also list the slowest imports")
    parser.add_argument(
        "--source-only",
        action="store_true",
        help="no bytecode cache: compile the project's modules on every launch",
    )
    parser.add_argument("--child", choices=["bare", "console"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bare":
        child_bare()
        return
    if args.child == "console":
        child_console()
        return

    times: dict[str, list[float]] = {"bare": [], "console": []}
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        pycache = None if args.source_only else Path(scratch) / "pycache"
        print(
            f"{machine_description()}; load {load_average()[0]:.2f}; "
            + ("no bytecode cache" if pycache is None else "modules read compiled"),
            flush=True,
        )
        # The first launches fill the OS file cache (and the bytecode cache).
        launch("bare", Path(scratch) / "warm", pycache=pycache)
        launch("console", Path(scratch) / "warm", pycache=pycache)
        for run in range(args.runs):
            for kind in ("bare", "console"):
                seconds, _ = launch(kind, Path(scratch) / f"{kind}{run}", pycache=pycache)
                times[kind].append(seconds)
            loads.append(load_average()[0])
            print(
                f"run {run + 1}: bare {times['bare'][-1]:.3f} s, console "
                f"{times['console'][-1]:.3f} s, load {loads[-1]:.2f}",
                flush=True,
            )
        if args.profile:
            _, stderr = launch(
                "console", Path(scratch) / "profile", pycache=pycache, importtime=True
            )
            print("\nslowest imports of the console up to its first paint (cumulative):")
            print("\n".join(slowest_imports(stderr)))
    bare, console = statistics.median(times["bare"]), statistics.median(times["console"])
    print(
        f"\nmedian first paint after launch: bare {bare:.3f} s, console {console:.3f} s; "
        f"ratio {console / bare:.2f}x (target < 3x); load {min(loads):.2f}-{max(loads):.2f}"
    )


if __name__ == "__main__":
    main()
