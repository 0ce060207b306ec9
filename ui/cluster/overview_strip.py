"""OverviewStrip: the cluster at a glance, above the servers table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.api.states import ServerStatus
from app.monitor import ServerHealth
from app.server_health import health_problem_count
from app.text_safety import display_text
from ui.cluster.formatting import clients_phrase, number_text
from ui.elided_label import ElidedLabel
from ui.icons import icon

if TYPE_CHECKING:
    from app.api.models import ClusterSnapshot, Server

UNKNOWN_VERSION = "unknown"
_STATUS = attrgetter("status")
_CLIENTS = attrgetter("clients")
_VERSION = attrgetter("version")


@dataclass(frozen=True)
class OverviewFacts:
    """Counts and highlights of one snapshot's servers.

    ``other`` counts servers starting, stopping or of unknown status. ``busiest`` is
    the server with the most Clients (the first by name on a tie), None when no server
    has any. ``versions`` pairs each version with its number of servers, most common
    first (then the highest version); servers that did not report one count as
    ``UNKNOWN_VERSION``. ``unhealthy`` counts the running servers whose own healthcheck
    found a problem (see ``app.server_health``); 0 without health results.
    """

    online: int
    isolated: int
    offline: int
    other: int
    clients: int
    busiest: Server | None
    versions: tuple[tuple[str, int], ...]
    unhealthy: int = 0

    @classmethod
    def of(
        cls,
        servers: Sequence[Server],
        health: Mapping[str, ServerHealth] | None = None,
        tally: Tally | None = None,
    ) -> OverviewFacts:
        """The facts of ``servers``; ``tally`` (optional) keeps the status and version
        counts of the last servers it counted, reused while those did not change."""
        # Counted in C (map, Counter, max): this runs on every poll of a large cluster.
        statuses, versions = (tally or Tally()).of(servers)
        known = (ServerStatus.ONLINE, ServerStatus.ISOLATED, ServerStatus.OFFLINE)
        clients = list(map(_CLIENTS, servers))
        busiest = _busiest(servers, clients)
        return cls(
            online=statuses[ServerStatus.ONLINE],
            isolated=statuses[ServerStatus.ISOLATED],
            offline=statuses[ServerStatus.OFFLINE],
            other=sum(n for status, n in statuses.items() if status not in known),
            clients=sum(clients),
            busiest=busiest,
            versions=tuple(versions),
            unhealthy=health_problem_count(servers, health or {}),
        )

    @property
    def mixed_versions(self) -> bool:
        """True when the servers report more than one version."""
        return sum(1 for version, _ in self.versions if version != UNKNOWN_VERSION) > 1

    def version_text(self) -> str:
        """ "9.2.4.1270 ×4, 9.2.3.1100 ×1"."""
        return ", ".join(f"{display_text(version)} ×{count}" for version, count in self.versions)

    def busiest_text(self) -> str:
        if self.busiest is None:
            return "Busiest: none"
        name = display_text(self.busiest.name)
        return f"Busiest: {name} ({clients_phrase(self.busiest.clients)})"

    def brief(self) -> str:
        """The servers and versions without Clients (a health-only connection)."""
        parts = [f"{self.online} online", f"{self.offline} offline"]
        return f"Servers: {', '.join(parts)}. Version: {self.version_text()}."

    def summary(self) -> str:
        """The whole strip as one sentence (its accessible description)."""
        parts = [f"{self.online} online", f"{self.isolated} isolated", f"{self.offline} offline"]
        if self.other:
            parts.append(f"{self.other} starting, stopping or unknown")
        if self.unhealthy:
            parts.append(f"{self.unhealthy} unhealthy")
        versions = "mixed versions" if self.mixed_versions else "version"
        return (
            f"Servers: {', '.join(parts)}. {clients_phrase(self.clients)} connected. "
            f"{self.busiest_text()}. {versions.capitalize()}: {self.version_text()}."
        )


class Tally:
    """The servers per status and per version (``OverviewFacts.versions``) of a list of
    servers, counted again only when a status or version in it changed: on most polls
    of a large cluster only Clients did, and telling that is two tuples of references
    compared in C instead of two ``Counter`` passes."""

    def __init__(self) -> None:
        self._key: tuple[tuple[object, ...], tuple[object, ...]] | None = None
        self._counts: tuple[Counter[ServerStatus], tuple[tuple[str, int], ...]] = (
            Counter(),
            (),
        )

    def of(
        self, servers: Sequence[Server]
    ) -> tuple[Counter[ServerStatus], tuple[tuple[str, int], ...]]:
        key = (tuple(map(_STATUS, servers)), tuple(map(_VERSION, servers)))
        if key != self._key:
            self._key = key
            self._counts = (Counter(key[0]), _version_counts(key[1]))
        return self._counts


def _version_counts(listed: Sequence[str | None]) -> tuple[tuple[str, int], ...]:
    """Each version with its number of servers, most common first, then the highest;
    the servers without one last, as ``UNKNOWN_VERSION``."""
    counts = Counter(listed)
    unknown = counts.pop(None, 0) + counts.pop("", 0)
    newest_first = sorted(counts.items(), key=lambda pair: _version_order(pair[0] or ""))[::-1]
    versions = sorted(newest_first, key=lambda pair: -pair[1])
    if unknown:
        versions.append((UNKNOWN_VERSION, unknown))
    return tuple((version or "", count) for version, count in versions)


def _busiest(servers: Sequence[Server], clients: list[int]) -> Server | None:
    """The server with the most Clients (the first by name, then id, on a tie), None
    when no server has any."""
    most = max(clients, default=0)
    if most <= 0:
        return None
    if clients.count(most) == 1:
        return servers[clients.index(most)]
    tied = [s for s, n in zip(servers, clients, strict=True) if n == most]
    return min(tied, key=lambda s: (s.name.casefold(), s.id))


def _version_order(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of a version: numerically part by part ("9.10" after "9.9")."""
    pieces = version.replace("-", ".").split(".")
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in pieces)


class _Fact(QWidget):
    """An icon (optional) and a text; the text is also the accessible name.

    An ``elidable`` fact shrinks below its text's width when the strip is short of room
    (its text elided, the whole of it in the text's tooltip), so that a long server
    name or version list never widens the window.
    """

    def __init__(self, name: str, parent: QWidget, *, elidable: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.picture = QLabel(self)
        self.picture.setObjectName(f"{name}Icon")
        self.text = ElidedLabel(self, tooltip_when_elided=True) if elidable else QLabel(self)
        self.text.setObjectName(f"{name}Text")
        if elidable:
            self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(max(2, self.fontMetrics().averageCharWidth() // 2))
        layout.addWidget(self.picture)
        layout.addWidget(self.text)
        self._shown: tuple[str, str | None, str] | None = None

    def show_fact(self, text: str, icon_name: str | None = None, tooltip: str = "") -> None:
        shown = (text, icon_name, tooltip)
        if shown == self._shown:
            return  # nothing to lay out or paint again
        self._shown = shown
        if isinstance(self.text, ElidedLabel):
            self.text.set_full_text(text)
        else:
            self.text.setText(text)
        self.setAccessibleName(text)
        self.setToolTip(tooltip)
        if icon_name is None:
            self.picture.clear()
            self.picture.hide()
        else:
            side = self.fontMetrics().height()
            self.picture.setPixmap(icon(icon_name).pixmap(side, side))
            self.picture.show()


class OverviewStrip(QFrame):
    """One line above the servers table: servers online, isolated and offline (icons and
    numbers), total Clients, the busiest server and the version mix.

    Fed with ``set_snapshot``; hidden until the first snapshot and after ``clear()``.
    Its accessible description is the whole line as a sentence.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewStrip")
        self.setAccessibleName("Cluster overview")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.facts: OverviewFacts | None = None
        self._client_counts = True
        self._facts_shown_with = True  # the ``_client_counts`` the facts were shown with
        self.online = _Fact("overviewOnline", self)
        self.isolated = _Fact("overviewIsolated", self)
        self.offline = _Fact("overviewOffline", self)
        self.other = _Fact("overviewOther", self)
        self.unhealthy = _Fact("overviewUnhealthy", self)
        self.clients = _Fact("overviewClients", self)
        self.busiest = _Fact("overviewBusiest", self, elidable=True)
        self.versions = _Fact("overviewVersions", self, elidable=True)
        layout = QHBoxLayout(self)
        chars = self.fontMetrics().averageCharWidth()
        layout.setContentsMargins(chars, chars // 2, chars, chars // 2)
        layout.setSpacing(chars * 3)
        for part in (self.online, self.isolated, self.offline, self.other, self.unhealthy):
            layout.addWidget(part)
        for part in (self.clients, self.busiest, self.versions):
            layout.addWidget(part)
        layout.addStretch(1)
        self._servers: tuple[Server, ...] = ()
        self._health: Mapping[str, ServerHealth] = {}
        self._tally = Tally()
        self.hide()

    def set_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """Show the facts of ``snapshot``'s servers (with the last health results)."""
        self._servers = snapshot.servers
        self._show()

    def set_health(self, health: Mapping[str, ServerHealth]) -> None:
        """Count the servers whose own healthcheck found a problem (shown once a snapshot is)."""
        self._health = dict(health)
        if self.facts is not None:
            self._show()

    def _show(self) -> None:
        facts = OverviewFacts.of(self._servers, self._health, self._tally)
        if facts == self.facts and self._client_counts == self._facts_shown_with:
            return  # the same line as now
        self.facts = facts
        self._facts_shown_with = self._client_counts
        self.online.show_fact(
            f"{facts.online} online", "status-online", "Servers accepting Clients"
        )
        self.isolated.show_fact(
            f"{facts.isolated} isolated",
            "status-isolated",
            "Servers out of the load balancer's rotation (Clients still connected stay)",
        )
        self.offline.show_fact(f"{facts.offline} offline", "status-offline", "Servers not running")
        self.other.show_fact(
            f"{facts.other} starting or stopping",
            "status-starting",
            "Servers starting, stopping or reporting an unknown status",
        )
        self.other.setVisible(facts.other > 0)
        self.unhealthy.show_fact(
            f"{facts.unhealthy} unhealthy",
            "banner-warning",
            "Running servers whose own healthcheck reports a problem (see their Status)",
        )
        self.unhealthy.setVisible(facts.unhealthy > 0)
        self.clients.show_fact(
            f"{number_text(facts.clients)} Clients", None, "Clients connected to the cluster now"
        )
        self.busiest.show_fact(facts.busiest_text(), None, "The server with the most Clients")
        if facts.mixed_versions:
            self.versions.show_fact(
                facts.version_text(),
                "version-mismatch",
                "The servers run different versions (an upgrade in progress?)",
            )
        else:
            self.versions.show_fact(facts.version_text(), "version", "The version the servers run")
        for part in (self.isolated, self.clients, self.busiest):
            part.setVisible(self._client_counts)
        self.setAccessibleDescription(facts.summary() if self._client_counts else facts.brief())
        self.show()

    def set_client_counts(self, shown: bool) -> None:
        """Whether the connection has Client counts (and isolation) to show."""
        self._client_counts = shown
        for part in (self.isolated, self.clients, self.busiest):
            part.setVisible(shown and self.facts is not None)

    def clear(self) -> None:
        """Forget the cluster (another connection is selected) and hide."""
        self.facts = None
        self._servers, self._health = (), {}
        self.setAccessibleDescription("")
        self.hide()
