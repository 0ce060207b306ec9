"""The columns and custom item roles of the Application Servers table.

Isolation is ONE column: the reason, who isolated the server and how long ago, as
"Windows updates (admin, 12 min ago)", with the absolute time in the tooltip. One
column keeps the table narrow on a laptop screen, and the reason is what an
administrator scans for; it sorts by the time the isolation began.

The Trend column is a sparkline of the server's Clients over the last
``TREND_SECONDS``, painted by ``SparklineDelegate`` from ``ServerRole.SPARKLINE``.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt

TREND_SECONDS = 300.0
"""The time the Trend column's sparkline covers, ending now."""
TREND_POINTS = 60
"""The most values a sparkline is drawn from: the lowest and the highest of each of
``TREND_POINTS // 2`` equal stretches of ``TREND_SECONDS`` (10 s each)."""


class Column(IntEnum):
    """Table columns, in their default order."""

    STATUS = 0
    NAME = 1
    ADDRESS = 2
    CLIENTS = 3
    LOAD_SHARE = 4
    TREND = 5
    VERSION = 6
    HEALTH = 7
    ISOLATION = 8
    LAST_SEEN = 9

    @property
    def header(self) -> str:
        """The header text."""
        return _HEADERS[self]

    @property
    def header_tooltip(self) -> str:
        """What the column shows, for the header's tooltip."""
        return _HEADER_TOOLTIPS[self]

    @property
    def width_sample(self) -> str:
        """Text as wide as the column's typical widest value (for the default width)."""
        return _WIDTH_SAMPLES[self]

    @property
    def key(self) -> bool:
        """True for the columns that fit without scrolling at 1024 × 700 (``KEY_COLUMNS``)."""
        return self in KEY_COLUMNS

    @property
    def shows_icon(self) -> bool:
        """True when cells may show an icon before the text."""
        return self in _ICON_COLUMNS


_HEADERS: dict[Column, str] = {
    Column.STATUS: "Status",
    Column.NAME: "Name",
    Column.ADDRESS: "Address",
    Column.CLIENTS: "Clients",
    Column.LOAD_SHARE: "Load share",
    Column.TREND: "Trend",
    Column.VERSION: "Version",
    Column.HEALTH: "Health",
    Column.ISOLATION: "Isolation",
    Column.LAST_SEEN: "Last seen",
}

_HEADER_TOOLTIPS: dict[Column, str] = {
    Column.STATUS: "Whether the Application Server runs and accepts new Clients",
    Column.NAME: "Application Server name",
    Column.ADDRESS: "Network address of the Application Server",
    Column.CLIENTS: "Clients connected to this server now",
    Column.LOAD_SHARE: "This server's share of all connected Clients",
    Column.TREND: "Clients over the last 5 minutes (sorts by Clients now)",
    Column.VERSION: "Ekran System version the server runs",
    Column.HEALTH: "Result of the server's own healthcheck",
    Column.ISOLATION: "Why, by whom and since when the server is out of rotation",
    Column.LAST_SEEN: "Last heartbeat of the server in the shared database",
}

DEFAULT_ORDER: tuple[Column, ...] = (
    Column.NAME,
    Column.STATUS,
    Column.CLIENTS,
    Column.HEALTH,
    Column.ISOLATION,
    Column.TREND,
    Column.LOAD_SHARE,
    Column.VERSION,
    Column.ADDRESS,
    Column.LAST_SEEN,
)
"""The columns' default visual order: Name first, so it stays in view as long as any
column does, then what an administrator decides on."""

KEY_COLUMNS = frozenset(
    {Column.NAME, Column.STATUS, Column.CLIENTS, Column.HEALTH, Column.ISOLATION}
)
"""The columns that fit side by side without scrolling in a 1024 × 700 window (at any
scale), at their default widths; longer texts are elided, whole in the tooltip."""

# Typical contents; default widths are measured from these in the view's font. Status
# and Isolation are compact: their longer texts are elided, whole in the tooltip.
_WIDTH_SAMPLES: dict[Column, str] = {
    Column.STATUS: "Isolated, 45 Clients",
    Column.NAME: "EKRAN-AS01-PROD",
    Column.ADDRESS: "255.255.255.255",
    Column.CLIENTS: "Clients 0",
    Column.LOAD_SHARE: "Load share 00",
    Column.TREND: "Trend 0000000000",
    Column.VERSION: "99.9.99.9999",
    Column.HEALTH: "Degraded (isolated)",
    Column.ISOLATION: "Updates (admin, 59 min ago)",
    Column.LAST_SEEN: "59 min ago",
}

_ICON_COLUMNS = frozenset({Column.STATUS, Column.VERSION, Column.HEALTH})


class ServerRole(IntEnum):
    """Custom item roles of ``ServerTableModel``; every column answers all of them.

    SERVER: the ``Server``. SERVER_ID: its id (str). SORT: the column's sort key, one
    type per column (int, float or str) so that the proxy compares it natively.
    LOAD_SHARE: fraction of all connected Clients (float 0..1). HEALTH: the last
    ``ServerHealth`` or None. MISMATCH: True when the version differs from the
    majority's. PENDING: the text of an action in progress, or None. SEARCH_TEXT: the
    text the filter matches (one line per searchable field). SPARKLINE: the server's
    Clients over the last ``TREND_SECONDS``, oldest first (a float numpy array, empty
    when there is no history).
    """

    SERVER = Qt.ItemDataRole.UserRole + 1
    SERVER_ID = Qt.ItemDataRole.UserRole + 2
    SORT = Qt.ItemDataRole.UserRole + 3
    LOAD_SHARE = Qt.ItemDataRole.UserRole + 4
    HEALTH = Qt.ItemDataRole.UserRole + 5
    MISMATCH = Qt.ItemDataRole.UserRole + 6
    PENDING = Qt.ItemDataRole.UserRole + 7
    SEARCH_TEXT = Qt.ItemDataRole.UserRole + 8
    SPARKLINE = Qt.ItemDataRole.UserRole + 9
