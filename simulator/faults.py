"""Injected faults: what the control API accepts, and which requests each one hits.

A fault is parsed from the JSON body of ``POST /faults`` by ``parse_fault`` and kept in a
``FaultBook``. The Management Tool endpoints ask the book, per request, which faults
apply (``FaultBook.take``); a fault with a ``count`` is used up by that many matching
requests. ``health`` and ``expire_tokens`` are not request faults: the control API turns
them into cluster and token-store changes, and they never enter the book.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

MAX_LATENCY_S = 300.0
MAX_OVERSIZED_BYTES = 4 * 1024**3
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
HEALTH_STATUSES = ("Healthy", "Degraded", "Unhealthy")

REQUEST_KINDS = (
    "latency",
    "fail",
    "malformed_json",
    "oversized_body",
    "redirect",
    "cut_download",
    "content_disposition",
    "body",
)
KINDS = (*REQUEST_KINDS, "expire_tokens", "health")
# Kinds that replace the answer; at most one of them applies to a request.
ANSWER_KINDS = ("fail", "malformed_json", "oversized_body", "redirect", "body")
UNLIMITED_BY_DEFAULT = ("latency", "health")
# Kinds that only change a logs download.
DOWNLOAD_KINDS = ("cut_download", "content_disposition")


class FaultError(ValueError):
    """A fault description is not valid; ``str()`` says what is wrong."""


@dataclass(frozen=True)
class Fault:
    """One injected fault, as described in ``docs/simulator.md``.

    ``params`` holds the kind-specific fields (``seconds``, ``status``, ``retry_after``,
    ``bytes``, ``chunked``, ``location``, ``after_bytes``) already validated.
    ``count`` ``None`` means unlimited.
    """

    kind: str
    server_id: str | None = None
    path: str | None = None
    count: int | None = 1
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, server_id: str, path: str) -> bool:
        """Whether a request to ``path`` at ``server_id``'s endpoint is in scope."""
        if self.server_id is not None and self.server_id != server_id:
            return False
        return self.path is None or self.path in path

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "server_id": self.server_id,
            "path": self.path,
            "count": self.count,
            **self.params,
        }


def parse_fault(body: object) -> Fault:
    """Validate a fault description (the JSON body of ``POST /faults``).

    Raises ``FaultError`` with a one-line explanation when it is not valid. Whether
    ``server_id`` names a real server is checked by the caller.
    """
    if not isinstance(body, dict):
        raise FaultError("A fault is a JSON object.")
    kind = body.get("kind")
    if kind not in KINDS:
        raise FaultError(f"Unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}.")
    server_id = _optional_str(body, "server_id")
    path = _optional_str(body, "path")
    default_count = None if kind in UNLIMITED_BY_DEFAULT else 1
    count = _optional_int(body, "count", default_count, minimum=1)
    params = _PARAM_PARSERS[kind](body)
    if kind == "health" and server_id is None:
        raise FaultError('A "health" fault needs "server_id".')
    return Fault(kind=kind, server_id=server_id, path=path, count=count, params=params)


class FaultBook:
    """The active request faults, in the order they were added."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._faults: dict[str, Fault] = {}
        self._remaining: dict[str, int | None] = {}

    def add(self, fault: Fault) -> str:
        """Store ``fault`` and return its id."""
        fault_id = self.new_id()
        self._faults[fault_id] = fault
        self._remaining[fault_id] = fault.count
        return fault_id

    def new_id(self) -> str:
        """A fresh fault id (also used for one-shot faults that are not stored)."""
        return f"f{next(self._ids)}"

    def take(self, server_id: str, path: str, *, is_download: bool) -> list[Fault]:
        """The faults that apply to this request, consuming one use of each.

        At most one answer-replacing fault (the oldest matching) is returned, and
        ``cut_download`` only applies when ``is_download``.
        """
        taken: list[Fault] = []
        answered = False
        for fault_id, fault in list(self._faults.items()):
            if not fault.matches(server_id, path):
                continue
            if fault.kind in DOWNLOAD_KINDS and not is_download:
                continue
            if fault.kind in ANSWER_KINDS:
                if answered:
                    continue
                answered = True
            taken.append(fault)
            self._use(fault_id)
        return taken

    def listing(self) -> list[dict[str, Any]]:
        """The active faults as JSON objects with their ``id`` and ``remaining`` uses."""
        return [
            {"id": fault_id, **fault.to_json(), "remaining": self._remaining[fault_id]}
            for fault_id, fault in self._faults.items()
        ]

    def clear(self) -> None:
        self._faults.clear()
        self._remaining.clear()

    def __len__(self) -> int:
        return len(self._faults)

    def _use(self, fault_id: str) -> None:
        remaining = self._remaining[fault_id]
        if remaining is None:
            return
        if remaining <= 1:
            del self._faults[fault_id]
            del self._remaining[fault_id]
        else:
            self._remaining[fault_id] = remaining - 1


# -- kind-specific fields --------------------------------------------------------------------


def _latency(body: dict[str, Any]) -> dict[str, Any]:
    seconds = _number(body, "seconds", None)
    if not 0 <= seconds <= MAX_LATENCY_S:
        raise FaultError(f'"seconds" must be between 0 and {MAX_LATENCY_S:g}.')
    return {"seconds": seconds}


def _fail(body: dict[str, Any]) -> dict[str, Any]:
    status = _int(body, "status", 500, minimum=400)
    if status > 599:
        raise FaultError('"status" must be an error status between 400 and 599.')
    retry_after = _optional_int(body, "retry_after", None, minimum=0)
    return {"status": status, "retry_after": retry_after}


def _oversized(body: dict[str, Any]) -> dict[str, Any]:
    size = _int(body, "bytes", 50_000_000, minimum=1)
    if size > MAX_OVERSIZED_BYTES:
        raise FaultError(f'"bytes" must be between 1 and {MAX_OVERSIZED_BYTES}.')
    chunked = body.get("chunked", False)
    if not isinstance(chunked, bool):
        raise FaultError('"chunked" must be true or false.')
    return {"bytes": size, "chunked": chunked}


def _redirect(body: dict[str, Any]) -> dict[str, Any]:
    location = _optional_str(body, "location")
    if not location:
        raise FaultError('A "redirect" fault needs "location".')
    status = _int(body, "status", 307, minimum=300)
    if status not in REDIRECT_STATUSES:
        raise FaultError(f'"status" must be one of {REDIRECT_STATUSES}.')
    return {"location": location, "status": status}


def _cut_download(body: dict[str, Any]) -> dict[str, Any]:
    return {"after_bytes": _int(body, "after_bytes", 0, minimum=0)}


def _content_disposition(body: dict[str, Any]) -> dict[str, Any]:
    value = body.get("value")
    if not isinstance(value, str) or not value or "\r" in value or "\n" in value:
        raise FaultError('"value" must be a one-line Content-Disposition header value.')
    return {"value": value}


def _health(body: dict[str, Any]) -> dict[str, Any]:
    status = body.get("status")
    if status not in HEALTH_STATUSES:
        raise FaultError(f'"status" must be one of {", ".join(HEALTH_STATUSES)}.')
    return {"status": status}


MAX_BODY_CHARS = 1_000_000


def _body(body: dict[str, Any]) -> dict[str, Any]:
    status = _int(body, "status", 200, minimum=200)
    if status > 599:
        raise FaultError('"status" must be between 200 and 599.')
    content_type = body.get("content_type", "text/plain")
    if (
        not isinstance(content_type, str)
        or not content_type
        or any(c in content_type for c in "\r\n;")
    ):
        raise FaultError('"content_type" must be a media type such as text/html.')
    text = body.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_BODY_CHARS:
        raise FaultError(f'"text" must be a string of at most {MAX_BODY_CHARS} characters.')
    return {"status": status, "content_type": content_type, "text": text}


def _no_params(body: dict[str, Any]) -> dict[str, Any]:
    return {}


_PARAM_PARSERS = {
    "latency": _latency,
    "fail": _fail,
    "malformed_json": _no_params,
    "oversized_body": _oversized,
    "redirect": _redirect,
    "cut_download": _cut_download,
    "content_disposition": _content_disposition,
    "expire_tokens": _no_params,
    "health": _health,
    "body": _body,
}


# -- field helpers ---------------------------------------------------------------------------


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or isinstance(value, str):
        return value
    raise FaultError(f'"{name}" must be a string.')


def _optional_int(
    body: dict[str, Any], name: str, default: int | None, *, minimum: int
) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FaultError(f'"{name}" must be an integer of at least {minimum}.')
    return value


def _int(body: dict[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = _optional_int(body, name, default, minimum=minimum)
    if value is None:
        raise FaultError(f'"{name}" must be an integer of at least {minimum}.')
    return value


def _number(body: dict[str, Any], name: str, default: float | None) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FaultError(f'"{name}" must be a number.')
    return float(value)
