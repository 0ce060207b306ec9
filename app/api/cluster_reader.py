"""ClusterReplyReader: validates cluster replies, keeping the ``Server`` of every entry
that did not change since the last reply."""

from __future__ import annotations

import threading
from typing import Any

from pydantic import ValidationError

from app.api.models import ClusterReply, Server
from app.api.replies import parse_model

_Known = tuple[dict[str, Any], tuple[type, ...], Server]


class ClusterReplyReader:
    """Turns the decoded JSON of ``GET /api/v1/cluster`` into a ``ClusterReply``.

    A cluster polled every second changes a few servers per poll. An entry equal to the
    entry of the same id in the last reply read (the same keys, values and JSON types:
    ``true`` is not ``1``) is not validated again: the reply gets that reply's ``Server``
    object itself. Validating the rest is then proportional to what changed, and the
    consumers of a snapshot can tell an unchanged server by identity (``is``).

    The result is the one ``parse_model(ClusterReply, data, ...)`` gives: the same
    values, and for a reply it cannot read the same ``ProtocolError``. Thread-safe (one
    reply at a time): the client reads replies on worker threads.
    """

    def __init__(self) -> None:
        self._known: dict[str, _Known] = {}
        self._lock = threading.Lock()

    def read(self, data: Any, *, status: int, url: str) -> ClusterReply:
        """Validate ``data``; raises ``ProtocolError`` as ``parse_model`` does."""
        with self._lock:
            return self._read(data, status=status, url=url)

    def forget(self) -> None:
        """Validate every entry of the next reply."""
        with self._lock:
            self._known = {}

    def _read(self, data: Any, *, status: int, url: str) -> ClusterReply:
        prepared = self._reuse(data)
        if prepared is data:
            reply = parse_model(ClusterReply, data, status=status, url=url)
        else:
            try:
                reply = ClusterReply.model_validate(prepared)
            except ValidationError:
                # The same problems with the reply as it came (its excerpt included).
                reply = parse_model(ClusterReply, data, status=status, url=url)
        self._remember(data, reply)
        return reply

    def _reuse(self, data: Any) -> Any:
        """``data`` with each unchanged server entry replaced by its ``Server`` (a new
        dict; ``data`` itself untouched), or ``data`` when there is none."""
        known = self._known
        if not known or type(data) is not dict:
            return data
        entries = data.get("servers")
        if type(entries) is not list:
            return data
        prepared: list[Any] = []
        reused = False
        for entry in entries:
            if type(entry) is dict:
                server_id = entry.get("id")
                seen = known.get(server_id) if type(server_id) is str else None
                if (
                    seen is not None
                    and entry == seen[0]
                    and tuple(map(type, entry.values())) == seen[1]
                ):
                    prepared.append(seen[2])
                    reused = True
                    continue
            prepared.append(entry)
        return {**data, "servers": prepared} if reused else data

    def _remember(self, data: Any, reply: ClusterReply) -> None:
        entries = data.get("servers") if type(data) is dict else None
        if type(entries) is not list or len(entries) != len(reply.servers):
            self._known = {}
            return
        known = self._known
        fresh: dict[str, _Known] = {}
        for entry, server in zip(entries, reply.servers, strict=True):
            seen = known.get(server.id)
            if seen is not None and seen[2] is server:
                fresh[server.id] = seen
            elif type(entry) is dict:
                fresh[server.id] = (entry, tuple(map(type, entry.values())), server)
        self._known = fresh
