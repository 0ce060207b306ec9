"""BusiestServers: ranking by the latest Clients, the selected first, refreshed sparingly."""

from __future__ import annotations

from tests.ui.graphs.history_data import FakeClock
from ui.graphs.busiest_servers import BusiestServers

SERVERS = [f"as-{n:02d}" for n in range(1, 7)]


def ranked(loads: dict[str, float], clock: FakeClock | None = None) -> BusiestServers:
    busiest = BusiestServers(10.0, clock=clock or FakeClock(0.0))
    busiest.set_loads(loads)
    return busiest


def test_busiest_first_ties_by_id_and_absent_servers_idle() -> None:
    busiest = ranked({"as-01": 5, "as-02": 50, "as-03": 50, "as-04": 0, "as-06": 7})
    assert busiest.choose(SERVERS, frozenset(), 4) == ["as-02", "as-03", "as-06", "as-01"]
    assert busiest.ranking == ["as-02", "as-03", "as-06", "as-01", "as-04", "as-05"]


def test_selected_servers_come_first_in_ranking_order() -> None:
    busiest = ranked({sid: n for n, sid in enumerate(SERVERS)})  # as-06 busiest
    selected = frozenset({"as-01", "as-03"})
    assert busiest.choose(SERVERS, selected, 4) == ["as-03", "as-01", "as-06", "as-05"]
    assert busiest.choose(SERVERS, frozenset(SERVERS), 2) == ["as-06", "as-05"]


def test_without_loads_servers_rank_by_id_until_the_first_loads() -> None:
    clock = FakeClock(0.0)
    busiest = BusiestServers(10.0, clock=clock)
    assert busiest.choose(reversed(SERVERS), frozenset(), 2) == ["as-01", "as-02"]
    busiest.set_loads({"as-05": 9})
    assert busiest.choose(SERVERS, frozenset(), 2) == ["as-05", "as-01"]  # at once


def test_new_loads_rerank_only_every_refresh_interval() -> None:
    clock = FakeClock(100.0)
    busiest = ranked({"as-01": 9}, clock)
    assert busiest.choose(SERVERS, frozenset(), 1) == ["as-01"]
    busiest.set_loads({"as-02": 9})
    clock.now += 9.0
    assert busiest.choose(SERVERS, frozenset(), 1) == ["as-01"]  # lines stay put
    clock.now += 1.0
    assert busiest.choose(SERVERS, frozenset(), 1) == ["as-02"]


def test_a_change_of_servers_reranks_at_once() -> None:
    clock = FakeClock(100.0)
    busiest = ranked({"as-01": 1, "as-07": 9}, clock)
    assert busiest.choose(SERVERS, frozenset(), 1) == ["as-01"]
    assert busiest.choose([*SERVERS, "as-07"], frozenset(), 1) == ["as-07"]


def test_clear_forgets_loads_and_ranking() -> None:
    busiest = ranked({"as-06": 9})
    assert busiest.choose(SERVERS, frozenset(), 1) == ["as-06"]
    busiest.clear()
    assert busiest.ranking == []
    assert busiest.choose(SERVERS, frozenset(), 1) == ["as-01"]
