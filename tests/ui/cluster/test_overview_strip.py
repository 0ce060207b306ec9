"""OverviewStrip: counts, Clients, busiest server and the version mix, from snapshots."""

from __future__ import annotations

import random

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.api.models import HealthEntry, HealthReport, HealthStatus, ServerStatus
from app.monitor import ServerHealth
from tests.ui.cluster.support import (
    CURRENT_VERSION,
    NOW,
    OLD_VERSION,
    FakeClock,
    isolated,
    server,
    snapshot,
)
from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.formatting import health_icon_name, health_text, status_text
from ui.cluster.overview_strip import OverviewFacts, OverviewStrip, Tally
from ui.elided_label import ElidedLabel


def mixed_cluster() -> list:
    return [
        server(1, clients=120),
        server(2, clients=310),
        isolated(3, clients=4),
        server(4, status=ServerStatus.OFFLINE, clients=0, version=OLD_VERSION),
        server(5, status=ServerStatus.STARTING, clients=0, version=None),
    ]


def test_facts_count_statuses_clients_busiest_and_versions() -> None:
    facts = OverviewFacts.of(mixed_cluster())
    assert (facts.online, facts.isolated, facts.offline, facts.other) == (2, 1, 1, 1)
    assert facts.clients == 434
    assert facts.busiest is not None
    assert facts.busiest.name == "EKRAN-AS02"
    assert facts.version_text() == f"{CURRENT_VERSION} ×3, {OLD_VERSION} ×1, unknown ×1"
    assert facts.mixed_versions


def test_versions_sort_by_count_then_newest_first() -> None:
    items = [
        server(1, version="9.9.0"),
        server(2, version="9.10.0"),
        server(3, version="9.8.0"),
        server(4, version="9.8.0"),
    ]
    assert OverviewFacts.of(items).version_text() == "9.8.0 ×2, 9.10.0 ×1, 9.9.0 ×1"


def test_busiest_is_none_without_clients_and_ties_go_by_name() -> None:
    idle = OverviewFacts.of([server(1, clients=0), server(2, clients=0)])
    assert idle.busiest is None
    assert idle.busiest_text() == "Busiest: none"
    tie = OverviewFacts.of([server(2, clients=5), server(1, clients=5)])
    assert tie.busiest is not None
    assert tie.busiest.id == "as-01"
    assert not tie.mixed_versions


@pytest.fixture
def strip(qtbot: QtBot) -> OverviewStrip:
    widget = OverviewStrip()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_strip_shows_numbers_with_icons_and_a_sentence(strip: OverviewStrip) -> None:
    assert strip.objectName() == "overviewStrip"
    strip.set_snapshot(snapshot(mixed_cluster()))
    assert strip.online.text.text() == "2 online"
    assert strip.isolated.text.text() == "1 isolated"
    assert strip.offline.text.text() == "1 offline"
    assert strip.other.isVisible()
    assert strip.other.text.text() == "1 starting or stopping"
    assert strip.clients.text.text() == "434 Clients"
    assert strip.busiest.text.text() == "Busiest: EKRAN-AS02 (310 Clients)"
    assert strip.versions.text.text().startswith(f"{CURRENT_VERSION} ×3")
    for fact in (strip.online, strip.isolated, strip.offline, strip.versions):
        assert fact.picture.pixmap() is not None
        assert not fact.picture.pixmap().isNull()  # an icon as well as the number
    description = strip.accessibleDescription()
    assert "2 online, 1 isolated, 1 offline" in description
    assert "Mixed versions" in description


def test_uniform_versions_and_no_other_statuses(strip: OverviewStrip) -> None:
    strip.set_snapshot(snapshot([server(1), server(2)]))
    assert not strip.other.isVisible()
    assert strip.versions.text.text() == f"{CURRENT_VERSION} ×2"
    assert "Mixed" not in strip.accessibleDescription()


def test_pane_shows_the_strip_with_data_and_hides_it_when_cleared(qtbot: QtBot) -> None:
    pane = ClusterPane(clock=FakeClock())
    qtbot.addWidget(pane)
    pane.show()
    assert not pane.overview.isVisible()
    pane.set_snapshot(snapshot([server(1, clients=3), server(2, clients=9)]))
    assert pane.overview.isVisible()
    assert pane.overview.clients.text.text() == "12 Clients"
    pane.set_snapshot(snapshot([server(1, clients=3)]))
    assert pane.overview.online.text.text() == "1 online"
    pane.clear()
    assert not pane.overview.isVisible()
    assert pane.overview.facts is None


def _health(
    sid: str, level: HealthStatus, http: int = 200, **entries: HealthStatus
) -> ServerHealth:
    report = HealthReport(
        url=f"https://{sid}/EkranSystem/healthcheck",
        http_status=http,
        status=level,
        entries={name: HealthEntry(status=status) for name, status in entries.items()},
        ok=http == 200,
    )
    return ServerHealth(sid, NOW, report=report)


def test_the_strip_counts_running_servers_with_a_health_problem(qtbot: QtBot) -> None:
    strip = OverviewStrip()
    qtbot.addWidget(strip)
    items = [
        server(1),
        isolated(2, clients=4),
        server(3, status=ServerStatus.OFFLINE, clients=0),
        server(4),
    ]
    strip.set_snapshot(snapshot(items))
    assert strip.unhealthy.isHidden()
    health = {
        "as-01": _health("as-01", HealthStatus.UNHEALTHY, 503),
        # isolated on purpose: Degraded by its isolation entry only, not a problem
        "as-02": _health("as-02", HealthStatus.DEGRADED, isolation=HealthStatus.DEGRADED),
        "as-03": _health("as-03", HealthStatus.UNHEALTHY, 503),  # offline: its status says it
        "as-04": _health("as-04", HealthStatus.HEALTHY),
    }
    strip.set_health(health)
    assert strip.unhealthy.text.text() == "1 unhealthy"
    assert not strip.unhealthy.isHidden()
    assert "1 offline, 1 unhealthy." in strip.accessibleDescription()
    strip.set_health({**health, "as-04": _health("as-04", HealthStatus.DEGRADED)})
    assert strip.unhealthy.text.text() == "2 unhealthy"
    strip.set_health({})
    assert strip.unhealthy.isHidden()


def test_status_text_names_the_health_problem_of_a_running_server() -> None:
    unhealthy = _health("as-01", HealthStatus.UNHEALTHY, 503)
    assert status_text(server(1), unhealthy) == "Online, unhealthy: HTTP 503"
    assert status_text(isolated(2, clients=12), unhealthy) == (
        "Isolated, 12 Clients still connected; unhealthy: HTTP 503"
    )
    on_purpose = _health("as-02", HealthStatus.DEGRADED, isolation=HealthStatus.DEGRADED)
    assert status_text(isolated(2, clients=0), on_purpose) == "Isolated"
    assert health_text(on_purpose) == "Degraded (isolated)"  # the report's word, and why
    assert health_icon_name(on_purpose) == "status-isolated"
    licences = _health("as-02", HealthStatus.DEGRADED, licensing=HealthStatus.DEGRADED)
    assert health_text(licences) == "Degraded"
    assert health_text(unhealthy) == "Unhealthy"
    assert status_text(server(3, status=ServerStatus.OFFLINE), unhealthy) == "Offline"
    failed = ServerHealth("as-01", NOW, error="Timed out.")
    assert status_text(server(1), failed) == "Online, health check failed"
    assert status_text(server(1), None) == "Online"


def test_facts_of_random_clusters_match_a_plain_count() -> None:
    rng = random.Random(5)
    statuses = list(ServerStatus)
    for _round in range(300):
        items = [
            server(
                n,
                name=rng.choice(["EKRAN-A", "ekran-a", "EKRAN-B", f"EKRAN-{n}"]),
                status=rng.choice(statuses),
                clients=rng.choice([0, 0, 3, 7, 7]),
                version=rng.choice([CURRENT_VERSION, OLD_VERSION, "9.10.0.1", None, ""]),
            )
            for n in range(1, rng.randrange(0, 9))
        ]
        facts = OverviewFacts.of(items)
        by_load = sorted(items, key=lambda s: (-s.clients, s.name.casefold(), s.id))
        busiest = by_load[0] if by_load and by_load[0].clients > 0 else None
        assert facts.busiest is busiest
        assert facts.clients == sum(s.clients for s in items)
        assert sum(n for _, n in facts.versions) == len(items)
        assert dict(facts.versions).get("unknown", 0) == sum(1 for s in items if not s.version)
        other = [s for s in items if s.status not in ("online", "isolated", "offline")]
        assert (facts.online, facts.other) == (
            sum(1 for s in items if s.status is ServerStatus.ONLINE),
            len(other),
        )


def test_a_long_busiest_name_and_version_list_elide_instead_of_widening_the_strip(
    strip: OverviewStrip,
) -> None:
    strip.set_snapshot(snapshot([server(1), server(2)]))
    QApplication.processEvents()  # the layout's new minimum
    short = strip.minimumSizeHint().width()
    long_name = "EKRAN-APPLICATION-SERVER-FRANKFURT-DATACENTER-EAST-RACK-17"
    items = [server(1, name=long_name, clients=500)]
    items += [server(n, version=f"9.{n}.{n}.1{n:03d}") for n in range(2, 12)]
    strip.set_snapshot(snapshot(items))
    QApplication.processEvents()
    busiest, versions = strip.busiest.text, strip.versions.text
    assert busiest.text() == f"Busiest: {long_name} (500 Clients)"
    chars = strip.fontMetrics().averageCharWidth()
    # the long texts add at most a few characters each to the strip's minimum width
    assert strip.minimumSizeHint().width() <= short + 2 * 5 * chars
    assert strip.minimumSizeHint().width() < strip.fontMetrics().horizontalAdvance(busiest.text())
    strip.resize(strip.minimumSizeHint().width(), strip.height())
    QApplication.processEvents()
    for label in (busiest, versions):
        assert isinstance(label, ElidedLabel)
        assert label.is_elided()
        assert label.shown_text().endswith("…")
        assert label.toolTip() == label.text()  # the whole text, on hovering it
    strip.resize(strip.sizeHint().width() + 100, strip.height())
    QApplication.processEvents()
    assert not busiest.is_elided()
    assert busiest.toolTip() == ""  # the fact's own explanation shows instead
    assert strip.busiest.toolTip() == "The server with the most Clients"


@pytest.fixture
def recounts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the server lists the strip counted per version, call by call."""
    from ui.cluster import overview_strip

    calls: list[int] = []
    counted = overview_strip._version_counts
    monkeypatch.setattr(
        overview_strip,
        "_version_counts",
        lambda listed: calls.append(len(listed)) or counted(listed),
    )
    return calls


def test_a_kept_tally_gives_the_facts_counted_afresh_over_random_polls(
    recounts: list[int],
) -> None:
    rng = random.Random(5)
    tally = Tally()
    shown = [server(n, clients=rng.randrange(50)) for n in range(1, 11)]
    next_number = 11
    for _poll in range(200):
        for index in rng.sample(range(len(shown)), rng.randrange(0, 3)):
            item = shown[index]
            change = rng.randrange(4)
            if change == 0:
                shown[index] = item.model_copy(update={"status": rng.choice(list(ServerStatus))})
            elif change == 1:
                version = rng.choice([CURRENT_VERSION, OLD_VERSION, None, ""])
                shown[index] = item.model_copy(update={"version": version})
            else:
                shown[index] = item.model_copy(update={"clients": rng.randrange(50)})
        if rng.random() < 0.1 and len(shown) > 2:
            shown.pop(rng.randrange(len(shown)))
        if rng.random() < 0.1:
            shown.append(server(next_number))
            next_number += 1
        listed = tuple(shown)
        assert OverviewFacts.of(listed, None, tally) == OverviewFacts.of(listed)
    # Recounted on the polls that changed a status, a version or the servers, not all.
    assert 0 < len(recounts) // 2 < 200


def test_a_poll_that_changes_only_clients_counts_no_status_or_version_again(
    recounts: list[int],
) -> None:
    tally = Tally()
    shown = [server(n, clients=n) for n in range(1, 6)]
    first = OverviewFacts.of(tuple(shown), None, tally)
    shown[2] = shown[2].model_copy(update={"clients": 40})
    second = OverviewFacts.of(tuple(shown), None, tally)
    assert len(recounts) == 1
    assert second.clients == first.clients + 40 - 3
    assert second.busiest is not None
    assert second.busiest.id == "as-03"
    shown[2] = shown[2].model_copy(update={"status": ServerStatus.OFFLINE})
    third = OverviewFacts.of(tuple(shown), None, tally)
    assert len(recounts) == 2
    assert (third.online, third.offline) == (4, 1)
