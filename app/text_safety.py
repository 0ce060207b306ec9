"""Making text that a server or a file chose safe to show on a terminal or in a widget.

A name, version or reason comes from a Management Tool or an imported file, so it may
carry terminal escape sequences (``ESC [31m`` recolours a table, ``ESC ]0;…`` sets a
window title, ``\\r`` overwrites a line), right-to-left overrides that reorder what is
read, or ten thousand characters. ``display_text`` is the one function every output
path uses before a person sees such text:

- every C0 control (U+0000-U+001F), DEL (U+007F), C1 control (U+0080-U+009F), line and
  paragraph separator (U+2028, U+2029) and lone surrogate is shown as a visible escape
  (``\\x1b``, ``\\r``, ``\\n``, ``\\t``, ``\\x9b``, ``\\u2028``, ``\\udc80``), so an escape
  sequence prints as its harmless spelling ``\\x1b[31m``;
- every bidirectional control (embeddings, overrides, isolates, LRM/RLM/ALM) is shown as
  its ``\\u202e`` spelling, so it cannot reorder the text around it;
- the result is cut to ``limit`` characters with a final ``…``, never in the middle of
  an escape.

Everything else (letters of any script, emoji, combining marks) is kept as it is. The
full text stays available where a reader asked for it: ``--json`` output (made safe
by ``escape_json_output``) and tooltips (``display_text`` with ``limit=None``).
"""

from __future__ import annotations

import html
import re

DISPLAY_LIMIT = 80
"""Default cap for one table cell or one line of text."""

ELLIPSIS = "…"

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f"  # arabic letter mark, left-to-right mark, right-to-left mark
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)


_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]"
)


def is_unsafe(ch: str) -> bool:
    """Whether ``ch`` (one character) is shown as an escape by ``display_text``."""
    return _UNSAFE.fullmatch(ch) is not None


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def display_text(text: str, limit: int | None = DISPLAY_LIMIT) -> str:
    """``text`` made safe to print or show: see the module docstring.

    ``limit`` caps the result's length in characters (at least 1); None keeps it whole
    (tooltips, detail views). The result never contains a character for which
    ``is_unsafe`` is True, and text that needs no escape and fits is returned unchanged.
    """
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    if _UNSAFE.search(text) is None:  # the common case, at C speed
        if limit is None or len(text) <= limit:
            return text
        return text[: limit - 1] + ELLIPSIS
    if limit is None:
        return _UNSAFE.sub(lambda match: _escape(match.group()), text)
    # Only the head can be shown; escaping more than limit characters is wasted work.
    pieces = [_escape(ch) if _UNSAFE.fullmatch(ch) else ch for ch in text[: limit + 1]]
    total = 0
    for index, piece in enumerate(pieces):
        total += len(piece)
        if total > limit:
            return _cut(pieces[:index], limit)
    return "".join(pieces) if len(text) <= limit else _cut(pieces, limit)


def _cut(pieces: list[str], limit: int) -> str:
    """The leading pieces that fit in ``limit - 1`` characters, then the ellipsis."""
    kept: list[str] = []
    size = 0
    for piece in pieces:
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + ELLIPSIS


def display_html(text: str, limit: int | None = DISPLAY_LIMIT) -> str:
    """``display_text`` for rich text (a Qt label in HTML): markup characters escaped too."""
    return html.escape(display_text(text, limit), quote=True)


def escape_json_output(document: str) -> str:
    """A JSON document with every unsafe character inside its strings written as ``\\uXXXX``.

    ``document`` comes from ``json.dumps(..., ensure_ascii=False)``, which already escapes
    C0 controls inside strings (the ones left are the layout's own line breaks) but
    leaves DEL, C1 controls, bidirectional controls, separators and lone surrogates raw;
    a terminal would act on them. Outside strings a JSON document has none of these, so
    replacing them everywhere keeps the document valid and its decoded values unchanged.
    """
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", document)


# C0 controls are left out: json.dumps escaped those in strings, the rest is layout.
_UNSAFE_IN_JSON = re.compile("(?![\x00-\x1f])" + _UNSAFE.pattern)
