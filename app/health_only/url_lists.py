"""Reading a list of Management Tool URLs an administrator pasted or kept in a file.

One URL (or bare host) per line, or several separated by commas, semicolons, tabs or
spaces, as text or CSV. In a CSV whose first row names its columns, only the column
named like ``url``/``address``/``host`` is read. Other cells are kept only if they look
like an address (a scheme, a dot, a port, or ``localhost``), so names and notes in the
same file are skipped. The result is normalized (``normalize_base_url``), without
duplicates, in order; ``skipped`` lists what was not a usable URL.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from app.api.urls import InvalidUrlError, normalize_base_url

MAX_LIST_CHARS = 1_000_000
_HEADERS = ("url", "urls", "address", "host", "hostname", "management tool url", "server")
_SEPARATORS = re.compile(r"[,;\t ]+")


@dataclass(frozen=True)
class UrlList:
    urls: tuple[str, ...]
    skipped: tuple[str, ...]


def parse_url_list(text: str) -> UrlList:
    """The URLs in ``text`` (see the module docstring); raises ``ValueError`` when it is
    longer than ``MAX_LIST_CHARS``."""
    if len(text) > MAX_LIST_CHARS:
        raise ValueError("The list is too long to be a list of Management Tool URLs.")
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    column = _url_column(rows[0]) if rows else None
    cells: list[str] = []
    if column is not None:
        cells = [row[column] for row in rows[1:] if len(row) > column]
    else:
        for row in rows:
            for cell in row:
                cells.extend(_SEPARATORS.split(cell.strip()))
    urls: list[str] = []
    skipped: list[str] = []
    for cell in (c.strip().strip("\"'") for c in cells):
        if not cell:
            continue
        if column is None and not _looks_like_address(cell):
            skipped.append(cell)
            continue
        try:
            url = normalize_base_url(cell)
        except InvalidUrlError:
            skipped.append(cell)
            continue
        if url not in urls:
            urls.append(url)
    return UrlList(tuple(urls), tuple(skipped))


def _url_column(header: list[str]) -> int | None:
    names = [cell.strip().strip("\"'").casefold() for cell in header]
    for wanted in _HEADERS:
        if wanted in names:
            return names.index(wanted)
    return None


def _looks_like_address(cell: str) -> bool:
    lowered = cell.casefold()
    return "://" in cell or "." in cell or ":" in cell or lowered.startswith("localhost")
