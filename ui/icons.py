"""Icons from ``resources/icons/<name>.svg``, in a source tree and in a frozen build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon


def resources_dir() -> Path:
    """The ``resources`` folder: next to the packages, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``; raises FileNotFoundError if it is missing.

    A missing icon is a packaging defect, so it fails loudly instead of drawing nothing.
    """
    path = resources_dir() / "icons" / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"icon {name!r} not found at {path}")
    return QIcon(str(path))
