"""What the frozen folder leaves out: Qt translations, unused Qt plugins and libraries,
and the files of packages' parts that the spec excludes but hooks collect anyway.

The same rules serve twice: the spec filters PyInstaller's lists of binaries and data
files before collecting them, and ``build.py`` removes anything that still reached the
folder (files added by hooks after the spec's filtering, for example). Paths are bundle
paths with forward slashes, such as ``PySide6/Qt/plugins/platforms/libqxcb.so`` (Linux
wheels) or ``PySide6/plugins/platforms/qwindows.dll`` (Windows wheels).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

KEPT_PLUGINS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "linux": {
        "platforms": frozenset({"offscreen", "xcb"}),
        "platforminputcontexts": frozenset({"composeplatforminputcontextplugin"}),
        "imageformats": frozenset({"svg"}),
        "iconengines": frozenset({"svgicon"}),
    },
    "win32": {
        "platforms": frozenset({"offscreen", "windows"}),
        "styles": frozenset({"modernwindowsstyle"}),
        "imageformats": frozenset({"svg"}),
        "iconengines": frozenset({"svgicon"}),
    },
    "darwin": {
        "platforms": frozenset({"offscreen", "cocoa"}),
        "styles": frozenset({"macstyle"}),
        "imageformats": frozenset({"svg"}),
        "iconengines": frozenset({"svgicon"}),
    },
}
"""Per platform: plugin type -> plugin names kept (file name without ``lib``/``q``/suffix).

A plugin type not listed is dropped entirely.
"""

DROPPED_QT_LIBRARIES = frozenset(
    {
        "EglFSDeviceIntegration",
        "EglFsKmsGbmSupport",
        "EglFsKmsSupport",
        "Network",
        "OpenGL",
        "OpenGLWidgets",
        "Pdf",
        "Qml",
        "QmlMeta",
        "QmlModels",
        "QmlWorkerScript",
        "Quick",
        "VirtualKeyboard",
        "WaylandClient",
        "WaylandEglClientHwIntegration",
        "WlShellIntegration",
    }
)
"""Qt libraries (``Qt6<Name>``) that only dropped plugins or unused modules need.

OpenGL: pyqtgraph imports PySide6.QtOpenGL and QtOpenGLWidgets by name but draws through
them only when its OpenGL option is on, which the console never turns on; the runtime
hook ``runtime_hooks/qt_opengl_stand_ins.py`` answers those imports in the frozen app.
"""

DROPPED_QT_BINDINGS = frozenset({"QtOpenGL", "QtOpenGLWidgets"})
"""PySide6's Python modules (``PySide6/<Name>.abi3.so``, ``.pyd``) that the spec excludes."""

DROPPED_FILES = frozenset({"opengl32sw.dll", "d3dcompiler_47.dll", "libEGL.dll", "libGLESv2.dll"})
"""OpenGL renderers of Windows wheels: only Qt Quick and OpenGL widgets use them (the
console's widgets and graphs are painted by Qt's raster engine)."""

DROPPED_FOLDERS = (
    "numpy/random",
    "numpy/fft",
    "pyqtgraph/icons/peegee",
)
"""Bundle folders left out whole: numpy's hook collects every numpy extension module
whether its package is excluded or not (the spec excludes numpy.random and numpy.fft,
which neither the console nor the parts of pyqtgraph it uses import); pyqtgraph's
application icons serve only ``pyqtgraph.mkQApp``, which the console never calls."""

UNUSED_SUBPACKAGES = (
    "pydantic.v1",
    "pyqtgraph.console",
    "pyqtgraph.dockarea",
    "pyqtgraph.examples",
    "pyqtgraph.exporters",
    "pyqtgraph.flowchart",
    "pyqtgraph.jupyter",
    "pyqtgraph.opengl",
)
"""Subpackages the spec excludes although their packages' hooks name them (``hooks/``
leaves them out of those hooks' hidden imports): pydantic's V1 compatibility layer, and
the parts of pyqtgraph that importing pyqtgraph does not import. The exporters' dialog
opens from the plot's context menu, which the console disables."""

_LIBRARY_SUFFIXES = (".so", ".dll", ".dylib")


def is_unused_module(name: str) -> bool:
    """True for a module in one of ``UNUSED_SUBPACKAGES`` (or one of them itself)."""
    return any(name == package or name.startswith(f"{package}.") for package in UNUSED_SUBPACKAGES)


def platform_key(platform: str = sys.platform) -> str:
    """The key of ``KEPT_PLUGINS`` for a ``sys.platform`` value."""
    if platform.startswith("linux"):
        return "linux"
    if platform in KEPT_PLUGINS:
        return platform
    raise ValueError(f"no packaging rules for platform {platform!r}")


def plugin_name(file_name: str) -> str:
    """A plugin's name from its file: ``libqxcb.so`` -> ``xcb``, ``qwindows.dll`` -> ``windows``."""
    stem = file_name.split(".", 1)[0]
    stem = stem.removeprefix("lib")
    return stem.removeprefix("q")


def qt_library_name(file_name: str) -> str | None:
    """``libQt6Quick.so.6`` / ``Qt6Quick.dll`` -> ``Quick``; None for anything else."""
    stem = file_name.split(".", 1)[0].removeprefix("lib")
    if not stem.startswith("Qt6") or not any(s in file_name for s in _LIBRARY_SUFFIXES):
        return None
    return stem.removeprefix("Qt6")


def qt_binding_name(file_name: str) -> str | None:
    """``QtOpenGL.abi3.so`` / ``QtOpenGL.pyd`` -> ``QtOpenGL``; None for anything else."""
    stem, _, suffix = file_name.partition(".")
    if not stem.startswith("Qt") or suffix not in ("abi3.so", "pyd"):
        return None
    return stem


def in_dropped_folder(bundle_path: str) -> bool:
    """True when ``bundle_path`` lies in one of ``DROPPED_FOLDERS``."""
    path = bundle_path.replace("\\", "/")
    return any(path.startswith(f"{folder}/") for folder in DROPPED_FOLDERS)


def is_dropped(bundle_path: str, platform: str = sys.platform) -> bool:
    """True when the file at ``bundle_path`` does not belong in the frozen folder."""
    if in_dropped_folder(bundle_path):
        return True
    parts = PurePosixPath(bundle_path.replace("\\", "/")).parts
    if "PySide6" not in parts:
        return False
    inside = parts[parts.index("PySide6") + 1 :]
    if "translations" in inside:
        return True
    if "plugins" in inside:
        rest = inside[inside.index("plugins") + 1 :]
        if len(rest) < 2:
            return False
        kept = KEPT_PLUGINS[platform_key(platform)].get(rest[0], frozenset())
        return plugin_name(rest[-1]) not in kept
    if parts[-1] in DROPPED_FILES:
        return True
    if inside == (parts[-1],) and qt_binding_name(parts[-1]) in DROPPED_QT_BINDINGS:
        return True
    library = qt_library_name(parts[-1])
    return library in DROPPED_QT_LIBRARIES


def filter_hook_entries(
    entries: Iterable[tuple[str, str]], platform: str = sys.platform
) -> list[tuple[str, str]]:
    """Hook-style ``(source, destination folder)`` pairs whose files are kept."""
    return [
        (source, folder)
        for source, folder in entries
        if not is_dropped(f"{folder}/{os.path.basename(source)}", platform)
    ]


def filter_toc(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """PyInstaller TOC entries ``(bundle_path, source, kind)`` that are kept."""
    return [entry for entry in entries if not is_dropped(entry[0])]


LEFT_OUT_REPORT = "left-out-by-spec.tsv"
"""The spec's record (in PyInstaller's work folder) of what its filter left out."""


def record_left_out(entries: Iterable[tuple[str, str, str]], report: Path) -> None:
    """Write the TOC entries the filter drops as ``size<TAB>bundle path`` lines."""
    lines = []
    for bundle_path, source, _kind in entries:
        if is_dropped(bundle_path):
            size = os.path.getsize(source) if os.path.isfile(source) else 0
            posix_path = bundle_path.replace("\\", "/")
            lines.append(f"{size}\t{posix_path}\n")
    report.write_text("".join(lines), encoding="utf-8")


def read_left_out(report: Path) -> tuple[int, int]:
    """(files, bytes) the spec's filter left out, from its report; (0, 0) without one."""
    if not report.is_file():
        return 0, 0
    sizes = [int(line.split("\t", 1)[0]) for line in report.read_text("utf-8").splitlines()]
    return len(sizes), sum(sizes)


def strip_debug_symbols(contents: Path, platform: str = sys.platform) -> list[str]:
    """Linux: remove debug symbols from shared libraries, except wheel-vendored ones.

    Libraries in ``<package>.libs`` folders were rewritten by auditwheel (patchelf); strip
    breaks their ELF layout, so they are left alone. Returns the stripped bundle paths.
    """
    strip = shutil.which("strip")
    if not platform.startswith("linux") or strip is None:
        return []
    stripped: list[str] = []
    for path in sorted(contents.rglob("*.so*")):
        relative = path.relative_to(contents)
        if path.is_symlink() or not path.is_file():
            continue
        if any(part.endswith(".libs") for part in relative.parts):
            continue
        result = subprocess.run([strip, "--strip-debug", str(path)], capture_output=True)
        if result.returncode == 0:
            stripped.append(relative.as_posix())
    return stripped


def prune_folder(contents: Path, platform: str = sys.platform) -> list[str]:
    """Delete dropped files (and the folders they leave empty) under ``contents``.

    ``contents`` is the folder the bundle paths are relative to (``_internal``). Returns
    the removed bundle paths, sorted.
    """
    removed: list[str] = []
    emptied: set[Path] = set()
    for path in sorted(contents.rglob("*")):
        if path.is_symlink() or path.is_file():
            relative = path.relative_to(contents).as_posix()
            if is_dropped(relative, platform):
                path.unlink()
                removed.append(relative)
                emptied.update(p for p in path.parents if contents in p.parents)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed
