"""What the frozen folder leaves out: Qt translations, unused Qt plugins and libraries.

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
"""Qt libraries (``Qt6<Name>``) that only dropped plugins or unused modules need."""

DROPPED_FILES = frozenset({"opengl32sw.dll", "d3dcompiler_47.dll", "libEGL.dll", "libGLESv2.dll"})
"""OpenGL renderers of Windows wheels: only Qt Quick and OpenGL widgets use them."""

_LIBRARY_SUFFIXES = (".so", ".dll", ".dylib")


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


def is_dropped(bundle_path: str, platform: str = sys.platform) -> bool:
    """True when the file at ``bundle_path`` does not belong in the frozen folder."""
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
    """Delete dropped files (and emptied plugin folders) under ``contents``.

    ``contents`` is the folder the bundle paths are relative to (``_internal``). Returns
    the removed bundle paths, sorted.
    """
    removed: list[str] = []
    for path in sorted(contents.rglob("*")):
        if path.is_symlink() or path.is_file():
            relative = path.relative_to(contents).as_posix()
            if is_dropped(relative, platform):
                path.unlink()
                removed.append(relative)
    pyside = contents / "PySide6"
    if pyside.is_dir():
        for folder in sorted((p for p in pyside.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return removed
