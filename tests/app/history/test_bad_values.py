"""One bad value never stops load history."""

from __future__ import annotations

from app.api.models import MAX_CLIENTS
from app.history.connection import MAX_STORED_CLIENTS, TOTAL_KEY, ConnectionHistory
from tests.app.history.snapshots import T0, server, snapshot


def test_a_total_beyond_the_column_is_capped_and_history_goes_on() -> None:
    history = ConnectionHistory("c1")
    huge = [server(n, clients=MAX_CLIENTS - 1) for n in range(1, 4)]  # total > int32
    for step in range(3):
        assert history.record(snapshot(*huge), T0 + step) is not None
    total = history.series[TOTAL_KEY].raw.all()["clients"].tolist()
    assert total == [MAX_STORED_CLIENTS] * 3
    assert history.series["as-01"].raw.all()["clients"].tolist() == [MAX_CLIENTS - 1] * 3
