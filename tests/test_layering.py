"""The layers stay apart: ``app`` is Qt-free, ``simulator`` is independent of ``app`` and ``ui``.

A static scan of every import statement (including imports inside functions), so a
violation is caught even on a code path the other tests never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "app": {"PySide6", "shiboken6", "qasync", "pyqtgraph", "ui"},
    "simulator": {"app", "ui", "PySide6", "shiboken6", "qasync"},
}


def imported_top_levels(path: Path) -> set[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.lineno, node.module.split(".")[0]))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add((node.lineno, node.args[0].value.split(".")[0]))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_stay_in_their_layer(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files
        for line, name in sorted(imported_top_levels(path))
        if name in FORBIDDEN[package]
    ]
    assert not violations, "\n".join(violations)


def test_the_scan_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def later():\n    from PySide6.QtCore import QObject\n"
        "import importlib\nimportlib.import_module('ui.main')\n",
        encoding="utf-8",
    )
    names = {name for _, name in imported_top_levels(sample)}
    assert {"PySide6", "ui"} <= names
