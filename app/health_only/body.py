"""A healthcheck's body, reduced to text a person can read: never rendered, never trusted.

The product does not document the body of its healthcheck, so nothing depends on it:
the HTTP status decides. The body is only shown (in Health details): JSON kept as sent
and indented by ``pretty_body`` when shown, text as it is, HTML reduced to its visible
text (scripts and styles dropped). Every
result goes through ``display_text`` line by line, so control characters and bidi
overrides are spelled out, and it is cut to ``MAX_BODY_CHARS``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from app.text_safety import display_text

MAX_BODY_BYTES = 256 * 1024
"""The most of a healthcheck body read; the rest is not downloaded."""
MAX_BODY_CHARS = 8000
"""The most of a body kept for Health details."""
MAX_VERSION_CHARS = 64
_VERSION_KEYS = ("version", "productVersion", "applicationVersion", "serverVersion")
_VERSION_TEXT = re.compile(r"\bversion[\"']?\s*[:=]?\s*[\"']?(\d+(?:\.\d+){1,3})\b", re.IGNORECASE)


class BodyKind(StrEnum):
    EMPTY = "empty"
    JSON = "json"
    TEXT = "text"
    HTML = "html"


@dataclass(frozen=True)
class BodyText:
    """What the body said, safe to show: ``kind`` and the reduced ``text``."""

    kind: BodyKind
    text: str


@dataclass(frozen=True)
class ReadBody:
    """A body read once: its ``text`` for people, the ``version`` it states (or None),
    and its JSON ``document`` when it decoded as strict UTF-8 and parsed as JSON (None
    otherwise), for a caller that would parse it again."""

    text: BodyText
    version: str | None
    document: Any


def read_body(media: str, raw: bytes) -> ReadBody:
    """``reduce_body`` and ``stated_version`` of one body, decoded and parsed once."""
    try:
        text, strict = raw.decode("utf-8"), True
    except UnicodeDecodeError:
        text, strict = raw.decode("utf-8", errors="replace"), False
    is_json = media == "application/json" or media.endswith("+json")
    data = _json(text) if is_json or text.lstrip()[:1] in ("{", "[") else None
    return ReadBody(
        text=_reduce(media, text, data),
        version=_stated_version(media, text, data),
        document=data if strict else None,
    )


def reduce_body(media: str, raw: bytes) -> BodyText:
    """The readable text of a body of media type ``media`` (lower case, no parameters)."""
    return read_body(media, raw).text


def _reduce(media: str, text: str, data: Any) -> BodyText:
    if not text.strip():
        return BodyText(BodyKind.EMPTY, "")
    is_json = media == "application/json" or media.endswith("+json")
    if data is not None and (is_json or _looks_like_json(media, text)):
        # As sent (re-encoding it cost a fifth of a probe's own work, indenting it a
        # third): ``pretty_body`` indents it when someone reads it.
        return BodyText(BodyKind.JSON, _safe(text.strip()))
    if media in ("text/html", "application/xhtml+xml") or _looks_like_html(media, text):
        return BodyText(BodyKind.HTML, _safe(html_to_text(text)))
    return BodyText(BodyKind.TEXT, _safe(text))


def pretty_body(text: str) -> str:
    """A body from ``reduce_body`` as a person reads it: JSON indented (made safe again),
    anything else as it is."""
    data = _json(text) if text.lstrip()[:1] in ("{", "[") else None
    if data is None:
        return text
    return _safe(json.dumps(data, indent=2, ensure_ascii=False))


def stated_version(media: str, raw: bytes) -> str | None:
    """The version the body states, if it states one: a JSON ``version`` field (at the top
    or in ``data``) or "version 9.2.4.1270" in text; None otherwise (never a guess)."""
    return read_body(media, raw[:MAX_BODY_BYTES]).version


def _stated_version(media: str, text: str, data: Any) -> str | None:
    if isinstance(data, dict):
        for holder in (data, data.get("data")):
            if not isinstance(holder, dict) or holder.keys().isdisjoint(_VERSION_KEYS):
                continue  # (checked in C: most bodies state no version)
            for key in _VERSION_KEYS:
                value = holder.get(key)
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    found = str(value).strip()
                    if found:
                        return display_text(found, MAX_VERSION_CHARS)
        return None
    if media in ("text/html", "application/xhtml+xml"):
        text = html_to_text(text)
    match = _VERSION_TEXT.search(text)
    return match.group(1) if match else None


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page: tags, scripts and styles dropped, blank lines folded."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except AssertionError:  # html.parser gives up on some broken markup; keep what it read
        pass
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


class _TextExtractor(HTMLParser):
    _BLOCKS = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "li", "tr", "title", "fieldset"})
    _HIDDEN = frozenset({"script", "style", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._title = True
        elif tag in self._HIDDEN:
            self._hidden += 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._title = False
        elif tag in self._HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._title or not self._hidden:
            self.parts.append(data)


def _looks_like_json(media: str, text: str) -> bool:
    return media in ("", "text/plain") and text.lstrip()[:1] in ("{", "[")


def _looks_like_html(media: str, text: str) -> bool:
    head = text.lstrip()[:64].lower()
    return media in ("", "text/plain") and (head.startswith("<!doctype html") or "<html" in head)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _safe(text: str) -> str:
    """Each line made safe (escapes spelled out); the whole cut to ``MAX_BODY_CHARS``."""
    lines = [display_text(line, None) for line in text.splitlines()]
    joined = "\n".join(lines)
    return joined if len(joined) <= MAX_BODY_CHARS else joined[: MAX_BODY_CHARS - 1] + "…"
