"""The network layer uses httpx's public API only and defines no asyncio protocol.

A static scan of ``app/``: an httpx or httpcore upgrade must not be able to break the
console through an internal it reached into.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[3] / "app"
PROTOCOL_BASES = {"Protocol", "BufferedProtocol", "DatagramProtocol", "SubprocessProtocol"}


def modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def tree_of(path: Path) -> ast.Module:
    """``path`` parsed when its test runs, not when the tests are collected: every xdist
    worker collects every module, and the trees of all of ``app/`` kept for the whole run
    made every full garbage collection in every worker slower."""
    return ast.parse(path.read_text(encoding="utf-8"))


def test_there_are_modules_to_scan() -> None:
    assert len(modules()) > 50


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.name)
def test_no_asyncio_protocol_is_defined(path: Path) -> None:
    tree = tree_of(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                text = ast.unparse(base)
                assert not (
                    text.startswith("asyncio.") and text.split(".")[-1] in PROTOCOL_BASES
                ), f"{path.name}:{node.lineno} defines an asyncio protocol ({node.name})"


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.name)
def test_no_private_attribute_of_another_object_is_used_by_network_code(path: Path) -> None:
    tree = tree_of(path)
    source = ast.unparse(tree)
    if "httpx" not in source and "ssl" not in source:
        return
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            owner = node.value
            own = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            assert own, f"{path.name}:{node.lineno} uses {ast.unparse(node)}"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and str(node.args[1].value).startswith("_")
        ):
            raise AssertionError(f"{path.name}:{node.lineno} uses {ast.unparse(node)}")
