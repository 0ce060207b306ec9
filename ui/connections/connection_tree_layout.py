"""The shape of the connections tree: which folders and connections, in which order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.connections import ConnectionProfile


@dataclass(eq=False)
class TreeNode:
    """A folder (``profile`` None) or a connection; ``key`` is unique in the tree."""

    key: str
    name: str
    path: str
    parent: TreeNode | None
    profile: ConnectionProfile | None = None
    children: list[TreeNode] = field(default_factory=list)

    def row(self) -> int:
        return 0 if self.parent is None else self.parent.children.index(self)


@dataclass(frozen=True)
class RowSpec:
    """What one row should show after an update."""

    key: str
    name: str
    path: str
    profile: ConnectionProfile | None


def folder_key(path: str) -> str:
    return f"folder:{path}"


def connection_key(connection_id: str) -> str:
    return f"connection:{connection_id}"


def tree_layout(profiles: Iterable[ConnectionProfile]) -> dict[str, list[RowSpec]]:
    """Folder path ("" = top) -> its rows in order: sub-folders first, then connections."""
    folders: dict[str, set[str]] = {"": set()}
    connections: dict[str, list[ConnectionProfile]] = {"": []}
    for profile in profiles:
        parts = profile.group_parts
        for depth in range(len(parts)):
            parent = "/".join(parts[:depth])
            folders.setdefault(parent, set()).add(parts[depth])
            folders.setdefault("/".join(parts[: depth + 1]), set())
        connections.setdefault(profile.group, []).append(profile)
    layout: dict[str, list[RowSpec]] = {}
    for path, names in folders.items():
        rows = [
            RowSpec(folder_key(child), name, child, None)
            for name in sorted(names, key=str.casefold)
            for child in [f"{path}/{name}" if path else name]
        ]
        members = sorted(connections.get(path, []), key=lambda p: (p.name.casefold(), p.id))
        rows.extend(RowSpec(connection_key(p.id), p.name, path, p) for p in members)
        layout[path] = rows
    return layout
