"""Where the packaging files are, for the packaging tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING_DIR = ROOT / "packaging"
ENTRY_DIR = PACKAGING_DIR / "entry"
BUILD_SCRIPT = PACKAGING_DIR / "build.py"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"
QT_OPENGL_STAND_INS = PACKAGING_DIR / "runtime_hooks" / "qt_opengl_stand_ins.py"
