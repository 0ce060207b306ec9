"""The Windows lane's own logic that needs no Wine: how it splits the tests over its
pytest processes, and when it may reuse the frozen folder and installer of a former run."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.packaging.paths import PACKAGING_DIR

LANE_DIR = str(PACKAGING_DIR / "windows")
if LANE_DIR not in sys.path:
    sys.path.append(LANE_DIR)

import lane  # noqa: E402
import shards  # noqa: E402
import winenv  # noqa: E402

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.app.test_a" name="test_one" time="1.5" />
<testcase classname="tests.app.test_a" name="test_two" time="2.0" />
<testcase classname="tests.ui.test_b.TestWindow" name="test_three" time="4.25" />
<testcase classname="tests.gone.test_c" name="test_four" time="9.0" />
</testsuite></testsuites>
"""


def test_the_longest_files_are_dealt_first_to_the_least_loaded_process() -> None:
    seconds = {"a.py": 10.0, "b.py": 6.0, "c.py": 5.0, "d.py": 4.0, "e.py": 1.0}

    groups = shards.plan(sorted(seconds), seconds, processes=2)

    assert groups == [["a.py", "d.py"], ["b.py", "c.py", "e.py"]]  # 14 s and 12 s


def test_a_file_without_a_recorded_time_counts_as_the_median() -> None:
    seconds = {"a.py": 10.0, "b.py": 2.0, "c.py": 4.0}

    groups = shards.plan(["a.py", "b.py", "c.py", "new.py"], seconds, processes=2)

    # new.py counts 4 s: a (10) | new (4) + c (4) + b (2)
    assert groups == [["a.py"], ["b.py", "c.py", "new.py"]]


def test_no_process_is_started_without_files_and_a_cold_cache_still_splits() -> None:
    assert shards.plan(["a.py"], {}, processes=4) == [["a.py"]]
    assert shards.plan(["a.py", "b.py", "c.py"], {}, processes=2) == [["a.py", "c.py"], ["b.py"]]


def test_every_test_file_of_the_two_folders_is_planned(tmp_path: Path) -> None:
    for name in ("tests/app/test_x.py", "tests/app/sub/test_y.py", "tests/ui/test_z.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "tests/app/helpers.py").write_text("")
    (tmp_path / "tests/packaging").mkdir()
    (tmp_path / "tests/packaging/test_w.py").write_text("")

    assert shards.modules_to_test(tmp_path) == [
        "tests/app/sub/test_y.py",
        "tests/app/test_x.py",
        "tests/ui/test_z.py",
    ]


def test_pytest_reports_give_each_file_its_time_and_the_record_keeps_older_ones(
    tmp_path: Path,
) -> None:
    for name in ("tests/app/test_a.py", "tests/ui/test_b.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    report = tmp_path / "shard1.xml"
    report.write_text(JUNIT)
    record = tmp_path / "cache" / "seconds.json"

    timed = shards.save(
        record, {"tests/ui/test_old.py": 7.0}, [report, tmp_path / "none"], tmp_path
    )

    assert timed == 2
    assert shards.load(record) == {
        "tests/app/test_a.py": 3.5,
        "tests/ui/test_b.py": 4.25,
        "tests/ui/test_old.py": 7.0,
    }


def test_an_unreadable_record_is_no_record(tmp_path: Path) -> None:
    record = tmp_path / "seconds.json"
    assert shards.load(record) == {}
    record.write_text("{not json")
    assert shards.load(record) == {}
    record.write_text('{"a.py": "slow", "b.py": 2, "c.py": -1, "d.py": true}')
    assert shards.load(record) == {"b.py": 2.0}


def make_sources(root: Path) -> None:
    files = {
        "app/__init__.py": "__version__ = '1.0.0'\n",
        "ui/window.py": "",
        "simulator/run.py": "",
        "resources/icons/app.svg": "<svg/>",
        "packaging/ekran-console.spec": "",
        "packaging/README.md": "notes\n",
        "packaging/windows/lane.py": "",
        "packaging/smoke.py": "",
        "docs/openapi.yaml": "openapi: 3.0.0\n",
        "docs/guide.md": "",
        "pyproject.toml": "[project]\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_build_is_reused_only_while_its_inputs_are_unchanged(tmp_path: Path) -> None:
    make_sources(tmp_path)
    key = lane.build_key("python-a", tmp_path)

    assert lane.build_key("python-a", tmp_path) == key
    assert lane.build_key("python-b", tmp_path) != key, "other wheels: another build"
    unused_files = ("packaging/README.md", "packaging/windows/lane.py", "packaging/smoke.py")
    for unused in (*unused_files, "docs/guide.md"):
        (tmp_path / unused).write_text("changed\n")
    (tmp_path / "ui" / "__pycache__").mkdir()
    (tmp_path / "ui" / "__pycache__" / "window.cpython-311.pyc").write_bytes(b"\0")
    assert lane.build_key("python-a", tmp_path) == key, "documents, checks, the lane: no change"

    for used in ("ui/window.py", "resources/icons/app.svg", "packaging/ekran-console.spec"):
        before = lane.build_key("python-a", tmp_path)
        (tmp_path / used).write_text("changed\n")
        assert lane.build_key("python-a", tmp_path) != before, used
    (tmp_path / "app" / "new_module.py").write_text("")
    assert lane.build_key("python-a", tmp_path) != before, "a new module"


def test_a_build_is_ready_only_once_marked_and_a_new_one_replaces_the_old(
    tmp_path: Path,
) -> None:
    old = lane.Build(tmp_path / "build" / "old")
    old.reset()
    (old.folder).mkdir()
    assert not old.frozen, "not marked: a freeze that stopped half-way"
    old.mark_frozen()
    assert old.frozen
    installer = old.dist / "EkranClusterConsole-1.0.0-setup.exe"
    installer.write_bytes(b"MZ")
    assert old.installer is None, "not marked: makensis stopped half-way"
    old.mark_ready(installer)
    assert old.installer == installer

    new = lane.Build(tmp_path / "build" / "new")
    new.reset()
    assert not old.root.exists()
    assert new.installer is None


def test_host_programs_of_the_prefix_write_no_folder_named_after_a_windows_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a host Python given the Windows Python's PYTHONPYCACHEPREFIX ("Z:\\...") wrote a
    # folder of that name into its working folder (the checkout)
    monkeypatch.chdir(tmp_path)
    windows = winenv.WindowsPython(tmp_path / "cache")
    script = "import os, sys; sys.exit(1 if 'PYTHONPYCACHEPREFIX' in os.environ else 0)"

    windows._check([sys.executable, "-c", script], "a host program")

    assert windows.env()["PYTHONPYCACHEPREFIX"].startswith("Z:")  # Windows programs keep it
    assert list(tmp_path.iterdir()) == []


def test_a_command_over_its_time_limit_is_stopped_and_the_lane_says_so(tmp_path: Path) -> None:
    script = "import time; print('started', flush=True); time.sleep(60)"
    started = time.monotonic()

    with pytest.raises(winenv.LaneError, match=r"did not end within 1 s: stopped"):
        winenv.run_piped([sys.executable, "-c", script], dict(os.environ), limit_s=1)

    assert time.monotonic() - started < 30  # not the command's 60 s


def test_a_command_whose_child_holds_its_output_still_ends(tmp_path: Path) -> None:
    # a Windows program that starts Wine's desktop leaves it holding its standard streams
    pid_file = tmp_path / "child.pid"
    child = "import time; time.sleep(60)"
    script = (
        "import subprocess, sys; "
        f"child = subprocess.Popen([sys.executable, '-c', {child!r}]); "
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))"
    )
    started = time.monotonic()
    try:
        code = winenv.run_piped([sys.executable, "-c", script], dict(os.environ), limit_s=30)
    finally:
        if pid_file.is_file():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)

    assert code == 0
    assert time.monotonic() - started < 45  # the output's relay gave up after its grace


def test_a_test_process_still_running_at_the_deadline_is_stopped() -> None:
    shard = lane.Shard("[1] ", [sys.executable, "-c", "import time; time.sleep(60)"], {})
    shard.start()

    code = shard.wait(deadline=time.monotonic() + 1)

    assert shard.stopped
    assert code != 0


def test_a_test_process_that_ends_in_time_is_not_stopped() -> None:
    script = "print('3 passed in 0.1s')"
    shard = lane.Shard("[1] ", [sys.executable, "-c", script], dict(os.environ))
    shard.start()

    assert shard.wait(deadline=time.monotonic() + 60) == 0
    assert not shard.stopped
    assert shard.counts() == {"passed": 3}


def test_the_prefix_gets_the_host_fonts_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = tmp_path / "host"
    host.mkdir()
    for name in ("DejaVuSans.ttf", "DejaVuSerif-Bold.ttf", "DejaVuMathTeXGyre.ttf"):
        (host / name).write_bytes(name.encode())
    monkeypatch.setattr(lane, "HOST_FONTS", host)
    windows = winenv.WindowsPython(tmp_path / "cache")
    fonts = windows.system32.parent / "Fonts"

    lane.provide_fonts(windows)
    (fonts / "DejaVuSans.ttf").write_bytes(b"kept")
    lane.provide_fonts(windows)

    assert sorted(p.name for p in fonts.iterdir()) == ["DejaVuSans.ttf", "DejaVuSerif-Bold.ttf"]
    assert (fonts / "DejaVuSans.ttf").read_bytes() == b"kept"


def test_no_font_at_all_fails_the_lane_with_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lane, "HOST_FONTS", tmp_path / "none")

    with pytest.raises(winenv.LaneError, match="fonts-dejavu-core"):
        lane.provide_fonts(winenv.WindowsPython(tmp_path / "cache"))


def test_qt_variables_reach_windows_programs_under_the_names_wine_passes_on(
    tmp_path: Path,
) -> None:
    # Wine drops the Unix environment's QT_* variables and renames WINEQT_* to QT_*
    env = winenv.WindowsPython(tmp_path / "cache").env(QT_QPA_PLATFORM="offscreen", A_B="c")

    assert env["WINEQT_QPA_PLATFORM"] == "offscreen"
    assert env["A_B"] == "c"


def test_failed_tests_are_read_from_the_summary_and_not_from_captured_logs() -> None:
    lines = [
        "ERROR    app.monitor.monitor:monitor.py:250 unexpected error while polling",
        "FAILED tests/ui/test_a.py::test_one - AssertionError",
        "ERROR tests/app/test_b.py::test_two - OSError",
        "ERROR  - FileNotFoundError: [WinError 3] Path not found",
        "1 failed, 1 error in 3.00s",
    ]
    script = f"print({chr(10).join(lines)!r})"
    shard = lane.Shard("[1] ", [sys.executable, "-c", script], dict(os.environ))
    shard.start()
    shard.wait()

    assert shard.failed_tests == lines[1:4]
