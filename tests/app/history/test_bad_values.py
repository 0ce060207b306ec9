"""One bad value never stops load history."""

from __future__ import annotations

import numpy as np
import pytest

from app.api.models import MAX_CLIENTS
from app.history.connection import MAX_STORED_CLIENTS, TOTAL_KEY, ConnectionHistory
from app.history.ring import RingBuffer
from tests.app.history.snapshots import T0, server, snapshot


def test_a_value_that_does_not_fit_changes_nothing_in_the_ring() -> None:
    ring = RingBuffer(4, {"t": np.float64, "clients": np.int32})
    ring.append({"t": 1.0, "clients": 5})
    with pytest.raises(ValueError, match="clients"):
        ring.append({"t": 2.0, "clients": 2**63})
    ring.append({"t": 2.0, "clients": 6})  # the ring goes on
    assert ring.all()["clients"].tolist() == [5, 6]


def test_a_total_beyond_the_column_is_capped_and_history_goes_on() -> None:
    history = ConnectionHistory("c1")
    huge = [server(n, clients=MAX_CLIENTS - 1) for n in range(1, 4)]  # total > int32
    for step in range(3):
        assert history.record(snapshot(*huge), T0 + step) is not None
    total = history.series[TOTAL_KEY].raw.all()["clients"].tolist()
    assert total == [MAX_STORED_CLIENTS] * 3
    assert history.series["as-01"].raw.all()["clients"].tolist() == [MAX_CLIENTS - 1] * 3
