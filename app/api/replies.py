"""Reading Management Tool replies safely: bounded bodies, JSON checks, model validation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from app.api.errors import ProtocolError, UnreachableError, UnreachableReason
from app.api.models import Problem
from app.api.text import body_excerpt, one_line
from app.api.transport_errors import transport_error

ModelT = TypeVar("ModelT", bound=BaseModel)


async def read_bounded(response: httpx.Response, limit: int, url: str) -> bytes:
    """Read the (decoded) body, refusing it with ``ProtocolError`` beyond ``limit`` bytes.

    A connection lost mid-body raises ``UnreachableError``, like any transport failure.
    Reads incrementally and stops at the cap, so memory stays bounded whatever the
    server sends. The response is left open; the caller closes it (a body abandoned
    half-way is closed here).
    """
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(response.status_code, limit, url)
    chunks: list[bytes] = []
    size = 0
    try:
        body = response.aiter_bytes()
        try:
            async for chunk in body:
                size += len(chunk)
                if size > limit:
                    raise _too_large(response.status_code, limit, url)
                chunks.append(chunk)
        except BaseException:
            # A body abandoned half-way (refused, failed, cancelled) is closed here, in
            # this task: the reply first, so that httpx's nested body generators find
            # it closed; left to the garbage collector (qasync's loop does not finalize
            # abandoned async generators), httpcore's close would run outside any task.
            await response.aclose()
            close = getattr(body, "aclose", None)
            if close is not None:
                await close()
            raise
    except httpx.TimeoutException:
        raise UnreachableError(
            f"{urlsplit(url).netloc or url} started to answer, then stopped sending its reply.",
            reason=UnreachableReason.TIMEOUT,
            detail=f"the body stalled after {size} bytes",
            url=url,
        ) from None
    except httpx.TransportError as exc:
        raise transport_error(exc, url) from None
    return b"".join(chunks)


def _too_large(status: int, limit: int, url: str) -> ProtocolError:
    return ProtocolError(
        f"The Management Tool sent a reply larger than {limit // 1024} KiB; it was refused.",
        status=status,
        detail=f"body exceeds {limit} bytes",
        url=url,
    )


def media_type(response: httpx.Response) -> str:
    """The lower-cased media type of the reply without parameters ('' if absent)."""
    value: str = response.headers.get("content-type", "")
    return value.split(";", 1)[0].strip().lower()


def is_json_type(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def decode_json(body: bytes, *, status: int, media: str, url: str, secret: bool = False) -> Any:
    """Decode a JSON reply; a wrong content type or invalid JSON is a ``ProtocolError``.

    With ``secret`` (a token reply) the error carries no body excerpt.
    """
    if not is_json_type(media):
        raise ProtocolError(
            f"The Management Tool answered with {media or 'no content type'} instead of JSON.",
            status=status,
            excerpt=None if secret else body_excerpt(body),
            detail=f"content-type {media!r}",
            url=url,
        )
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise ProtocolError(
            "The Management Tool sent a reply that is not valid JSON.",
            status=status,
            excerpt=None if secret else body_excerpt(body),
            url=url,
        ) from None


def parse_model(
    model: type[ModelT], data: Any, *, status: int, url: str, secret: bool = False
) -> ModelT:
    """Validate decoded JSON against ``model``; a mismatch is a ``ProtocolError``.

    The error names the offending fields but never echoes their values; with
    ``secret`` (a token reply) it carries no body excerpt at all.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False, include_context=False)
        )
        excerpt = None if secret else body_excerpt(json.dumps(data).encode())
        raise ProtocolError(
            "The Management Tool sent a reply this console does not understand.",
            status=status,
            excerpt=excerpt,
            detail=one_line(f"{model.__name__}: {problems}", 400),
            url=url,
        ) from None


def parse_problem(body: bytes, media: str) -> Problem | None:
    """The problem document in an error reply, or None if the body is not one."""
    if not is_json_type(media) or not body:
        return None
    try:
        return Problem.model_validate(json.loads(body))
    except (ValueError, RecursionError, ValidationError):
        return None


def retry_after(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or HTTP date), None if absent or invalid."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
