"""What a started simulator tells the world: the ready file (JSON) and a banner for people."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EndpointInfo:
    server_id: str
    url: str


@dataclass(frozen=True)
class ReadyInfo:
    """The content of the ready file; ``repr`` hides the secrets, ``to_json`` has them all."""

    endpoints: list[EndpointInfo]
    control_url: str
    control_token: str = field(repr=False)
    ca_file: Path | None
    username: str
    password: str = field(repr=False)
    viewer_username: str
    viewer_password: str = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoints": [{"server_id": e.server_id, "url": e.url} for e in self.endpoints],
            "control_url": self.control_url,
            "control_token": self.control_token,
            "ca_file": None if self.ca_file is None else str(self.ca_file),
            "username": self.username,
            "password": self.password,
            "viewer_username": self.viewer_username,
            "viewer_password": self.viewer_password,
        }


def write_ready_file(path: Path, info: ReadyInfo) -> None:
    """Write ``info`` to ``path`` atomically (readers never see a partial file), owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(info.to_json(), handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)


def banner(info: ReadyInfo, *, servers: int, clients: int, listed: int = 8) -> str:
    """A short text for a person: endpoints, CA file, logins and the control API."""
    lines = [f"Ekran cluster simulator: {servers} Application Servers, {clients} Clients"]
    for endpoint in info.endpoints[:listed]:
        lines.append(f"  {endpoint.server_id:<8} {endpoint.url}")
    if len(info.endpoints) > listed:
        lines.append(f"  ... and {len(info.endpoints) - listed} more endpoints")
    without = servers - len(info.endpoints)
    if without > 0:
        lines.append(f"  ({without} servers have no endpoint of their own)")
    if info.ca_file is not None:
        lines.append(f"CA file:      {info.ca_file}")
    else:
        lines.append("TLS:          off (plain HTTP)")
    lines.append(f"Sign in:      {info.username} / {info.password}")
    lines.append(f"Read-only:    {info.viewer_username} / {info.viewer_password}")
    lines.append(f"Control API:  {info.control_url}  (X-Sim-Token: see the ready JSON)")
    lines.append("Stop with Ctrl+C.")
    return "\n".join(lines)
