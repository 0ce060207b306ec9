"""What the frozen folder leaves out, on each platform's PySide6 layout."""

from __future__ import annotations

from pathlib import Path

import prune
import pytest


@pytest.mark.parametrize(
    ("bundle_path", "platform"),
    [
        ("PySide6/Qt/translations/qtbase_de.qm", "linux"),
        ("PySide6/translations/qtbase_de.qm", "win32"),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", "linux"),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "linux"),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", "linux"),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "linux"),
        ("PySide6/plugins/platforms/qdirect2d.dll", "win32"),
        ("PySide6/plugins/imageformats/qgif.dll", "win32"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "linux"),
        ("PySide6/Qt6Pdf.dll", "win32"),
        ("PySide6/opengl32sw.dll", "win32"),
        ("PySide6/Qt/lib/libQt6OpenGL.so.6", "linux"),
        ("PySide6/Qt/lib/libQt6OpenGLWidgets.so.6", "linux"),
        ("PySide6/Qt6OpenGL.dll", "win32"),
        ("PySide6/QtOpenGL.abi3.so", "linux"),
        ("PySide6/QtOpenGLWidgets.pyd", "win32"),
    ],
)
def test_unused_qt_files_are_dropped(bundle_path: str, platform: str) -> None:
    assert prune.is_dropped(bundle_path, platform)


@pytest.mark.parametrize(
    ("bundle_path", "platform"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "linux"),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "linux"),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", "linux"),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", "linux"),
        ("PySide6/plugins/platforms/qwindows.dll", "win32"),
        ("PySide6/plugins/styles/qmodernwindowsstyle.dll", "win32"),
        ("PySide6/plugins/imageformats/qsvg.dll", "win32"),
        ("PySide6/plugins/iconengines/qsvgicon.dll", "win32"),
        ("PySide6\\plugins\\iconengines\\qsvgicon.dll", "win32"),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", "linux"),
        ("PySide6/Qt/lib/libQt6Svg.so.6", "linux"),
        ("PySide6/Qt6Gui.dll", "win32"),
        ("libssl.so.3", "linux"),
        ("libcrypto-3.dll", "win32"),
        ("PySide6/QtGui.abi3.so", "linux"),
        ("PySide6/QtWidgets.pyd", "win32"),
        ("PySide6/QtOpenGL.pyi", "win32"),
        ("resources/icons/app.svg", "linux"),
        ("translations/not-qt.txt", "linux"),
        ("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", "linux"),
        ("numpy/linalg/_umath_linalg.cp311-win_amd64.pyd", "win32"),
        ("numpy/randomness.pyc", "linux"),
        ("pyqtgraph/icons/auto.png", "linux"),
    ],
)
def test_what_the_console_needs_is_kept(bundle_path: str, platform: str) -> None:
    assert not prune.is_dropped(bundle_path, platform)


@pytest.mark.parametrize(
    "bundle_path",
    [
        "numpy/random/_generator.cpython-311-x86_64-linux-gnu.so",
        "numpy\\random\\mtrand.cp311-win_amd64.pyd",
        "numpy/fft/_pocketfft_umath.cp311-win_amd64.pyd",
        "pyqtgraph/icons/peegee/peegee_512px@2x.png",
    ],
)
def test_the_files_of_excluded_packages_that_hooks_collect_are_dropped(bundle_path: str) -> None:
    assert prune.is_dropped(bundle_path, "linux")
    assert prune.is_dropped(bundle_path, "win32")


def test_unused_subpackages_and_their_modules_are_recognised() -> None:
    assert prune.is_unused_module("pydantic.v1")
    assert prune.is_unused_module("pyqtgraph.flowchart.FlowchartCtrlTemplate_generic")
    assert not prune.is_unused_module("pydantic.v1x")
    assert not prune.is_unused_module("pyqtgraph.parametertree")
    assert not prune.is_unused_module("pyqtgraph")


def test_plugin_names_ignore_prefix_and_suffix() -> None:
    assert prune.plugin_name("libqxcb.so") == "xcb"
    assert prune.plugin_name("qwindows.dll") == "windows"
    assert prune.plugin_name("libqsvgicon.dylib") == "svgicon"


def test_an_unknown_platform_is_refused() -> None:
    with pytest.raises(ValueError, match="no packaging rules"):
        prune.platform_key("sunos5")


def test_hook_entries_are_filtered_by_destination(tmp_path: Path) -> None:
    entries = [
        (str(tmp_path / "libqxcb.so"), "PySide6/Qt/plugins/platforms"),
        (str(tmp_path / "libqvnc.so"), "PySide6/Qt/plugins/platforms"),
        (str(tmp_path / "qt_de.qm"), "PySide6/Qt/translations"),
    ]
    assert prune.filter_hook_entries(entries, "linux") == entries[:1]


def test_prune_folder_removes_dropped_files_and_emptied_folders(tmp_path: Path) -> None:
    files = {
        "PySide6/Qt/plugins/platforms/libqxcb.so": True,
        "PySide6/Qt/plugins/platforms/libqvnc.so": False,
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so": False,
        "PySide6/Qt/translations/qtbase_fr.qm": False,
        "numpy/random/mtrand.cpython-311-x86_64-linux-gnu.so": False,
        "numpy/linalg/_umath_linalg.cpython-311-x86_64-linux-gnu.so": True,
        "resources/icons/app.svg": True,
    }
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    removed = prune.prune_folder(tmp_path, "linux")
    assert sorted(removed) == sorted(name for name, kept in files.items() if not kept)
    for name, kept in files.items():
        assert (tmp_path / name).exists() == kept
    assert not (tmp_path / "PySide6/Qt/plugins/generic").exists()
    assert not (tmp_path / "PySide6/Qt/translations").exists()
    assert not (tmp_path / "numpy/random").exists()
    assert (tmp_path / "numpy/linalg").is_dir()


def test_the_spec_records_what_its_filter_leaves_out(tmp_path: Path) -> None:
    """As PyInstaller lists them on Windows: backslashes, sources on disk."""
    renderer = tmp_path / "opengl32sw.dll"
    renderer.write_bytes(b"x" * 1000)
    core = tmp_path / "Qt6Core.dll"
    core.write_bytes(b"x" * 10)
    entries = [
        ("PySide6\\opengl32sw.dll", str(renderer), "BINARY"),
        ("PySide6\\Qt6Core.dll", str(core), "BINARY"),
        ("PySide6\\translations\\qtbase_de.qm", str(tmp_path / "gone.qm"), "DATA"),
    ]
    report = tmp_path / prune.LEFT_OUT_REPORT
    prune.record_left_out(entries, report)
    assert prune.read_left_out(report) == (2, 1000)
    assert "PySide6/opengl32sw.dll" in report.read_text(encoding="utf-8")
    assert prune.read_left_out(tmp_path / "missing.tsv") == (0, 0)
