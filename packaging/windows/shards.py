"""How the Windows lane splits ``tests/app`` and ``tests/ui`` over its pytest processes.

Under Wine most of a test's time is spent starting Windows Python processes (each test's
simulator, each command-line run), so the processes run side by side, and the split
decides when the last one ends. Each run records how long every test file took (from
pytest's JUnit XML) in the cache; the next run deals the files out longest first, each to
the process with the least work so far. Files without a recorded time (a new file, or a
cold cache) count as the median of the recorded ones.

Standard library only, like the rest of the lane.
"""

from __future__ import annotations

import json
import statistics
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

TEST_FOLDERS = ("tests/app", "tests/ui")
PROCESSES = 4
UNKNOWN_SECONDS = 30.0
"""A file's guessed time when no file has a recorded one."""


def modules_to_test(root: Path, folders: Sequence[str] = TEST_FOLDERS) -> list[str]:
    """The test modules under ``folders``, as sorted paths relative to ``root``."""
    found = {
        path.relative_to(root).as_posix()
        for folder in folders
        for path in (root / folder).rglob("test_*.py")
        if "__pycache__" not in path.parts
    }
    return sorted(found)


def plan(
    files: Sequence[str], seconds: Mapping[str, float], processes: int = PROCESSES
) -> list[list[str]]:
    """``files`` split into ``processes`` groups of about equal recorded time.

    Longest first, each file to the group with the least time so far (ties: the lower
    group); each group is sorted by path, and empty groups are left out.
    """
    known = [seconds[name] for name in files if name in seconds]
    guess = statistics.median(known) if known else UNKNOWN_SECONDS
    groups: list[list[str]] = [[] for _ in range(max(1, processes))]
    loads = [0.0] * len(groups)
    for name in sorted(files, key=lambda name: (-seconds.get(name, guess), name)):
        lightest = loads.index(min(loads))
        groups[lightest].append(name)
        loads[lightest] += seconds.get(name, guess)
    return [sorted(group) for group in groups if group]


def file_seconds(junit_xml: Path, root: Path) -> dict[str, float]:
    """Seconds per test file in one pytest JUnit XML report (setup and teardown included).

    A test case's ``classname`` is its module's dotted path, followed by its class's name
    for a test in a class; cases whose file is not found under ``root`` are left out.
    """
    totals: dict[str, float] = {}
    for case in ElementTree.parse(junit_xml).getroot().iter("testcase"):
        path = _module_path(case.get("classname", ""), root)
        if path is None:
            continue
        try:
            seconds = float(case.get("time", "0"))
        except ValueError:
            continue
        totals[path] = totals.get(path, 0.0) + seconds
    return totals


def _module_path(classname: str, root: Path) -> str | None:
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        candidate = "/".join(parts[:end]) + ".py"
        if (root / candidate).is_file():
            return candidate
    return None


def load(record: Path) -> dict[str, float]:
    """The recorded seconds per file; empty when there is no record or it is unreadable."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(name): float(value)
        for name, value in data.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    }


def save(record: Path, previous: Mapping[str, float], reports: Iterable[Path], root: Path) -> int:
    """Record the files' times from ``reports`` over ``previous`` (files a report lacks
    keep their earlier time); returns how many files the reports timed."""
    merged = dict(previous)
    timed = 0
    for report in reports:
        try:
            measured = file_seconds(report, root)
        except (OSError, ElementTree.ParseError):
            continue
        merged.update(measured)
        timed += len(measured)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return timed
