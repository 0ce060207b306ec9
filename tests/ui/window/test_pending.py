"""Isolation changes stay pending until a snapshot confirms them."""

from __future__ import annotations

from datetime import UTC, datetime

from app.api.models import ClusterInfo, ClusterSnapshot, Server, ServerStatus
from tests.ui.window.servers import SEEN, server
from ui.window.pending import Change, PendingChanges

CONNECTION = "c1"


def snapshot(*servers: Server) -> ClusterSnapshot:
    return ClusterSnapshot(
        cluster=ClusterInfo(name="HA", generated_at=SEEN),
        servers=servers,
        etag=None,
        received_at=datetime.now(UTC),
        source_url="https://mt.example/EkranSystem",
    )


def test_a_change_is_confirmed_only_after_acceptance_and_a_matching_snapshot() -> None:
    pending = PendingChanges(confirm_timeout_s=30)
    online, isolated = server(1), server(1, ServerStatus.ISOLATED)
    change = pending.begin(CONNECTION, online, Change.ISOLATE)
    assert change is not None
    assert change.change.pending_text == "Isolating…"

    early = pending.settle(CONNECTION, snapshot(isolated), now=0.0)
    assert early.confirmed == []  # the server has not answered the request yet

    pending.accept(CONNECTION, "as-01", now=1.0)
    stale = pending.settle(CONNECTION, snapshot(online), now=2.0)
    assert stale.confirmed == []
    assert pending.for_connection(CONNECTION) == [change]

    done = pending.settle(CONNECTION, snapshot(isolated), now=3.0)
    assert done.confirmed == [(change, isolated)]
    assert pending.for_connection(CONNECTION) == []


def test_one_change_per_server_at_a_time() -> None:
    pending = PendingChanges()
    assert pending.begin(CONNECTION, server(1), Change.ISOLATE) is not None
    assert pending.begin(CONNECTION, server(1), Change.RETURN_TO_SERVICE) is None
    assert pending.begin("c2", server(1), Change.ISOLATE) is not None


def test_an_unconfirmed_change_expires() -> None:
    pending = PendingChanges(confirm_timeout_s=30)
    change = pending.begin(CONNECTION, server(2, ServerStatus.ISOLATED), Change.RETURN_TO_SERVICE)
    pending.accept(CONNECTION, "as-02", now=10.0)
    still = snapshot(server(2, ServerStatus.ISOLATED))
    assert pending.settle(CONNECTION, still, now=39.0).expired == []
    assert pending.settle(CONNECTION, still, now=41.0).expired == [change]
    assert pending.for_connection(CONNECTION) == []


def test_dropping_ends_tracking() -> None:
    pending = PendingChanges()
    first = pending.begin(CONNECTION, server(1), Change.ISOLATE)
    second = pending.begin(CONNECTION, server(2), Change.ISOLATE)
    assert pending.drop(CONNECTION, "as-01") is first
    assert pending.drop(CONNECTION, "as-01") is None
    assert pending.drop_connection(CONNECTION) == [second]
