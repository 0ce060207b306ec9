"""Benchmark: the work one poll of a 1,000-server cluster gives the window's thread.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_poll [--servers
1000] [--polls 40] [--changed 20]``.

No network and no window: a cluster reply like the simulator's (``--servers`` servers)
changes ``--changed`` servers' Clients by one and refreshes the heartbeat of a thirtieth
of the servers per poll, as a quiet cluster polled every second does. Each poll goes
through the pieces the window runs on its thread, each timed in CPU time
(``time.process_time``) and reported in ms per poll after 5 polls of warm-up:

- ``decode``: ``json.loads`` of the reply;
- ``read``: validating it into a ``ClusterReply`` (``ClusterReplyReader``, as the
  client does);
- ``table``: ``ServerTableModel.apply_snapshot`` behind a ``ServerFilterProxy`` sorted
  by Clients, descending (the window's default);
- ``overview``: ``OverviewStrip.set_snapshot``;
- ``rollout``: ``RolloutPanel.set_snapshot`` with a plan of every server, the panel
  hidden (as it is unless opened);
- ``history``: ``HistoryStore.record`` (in memory);
- ``alerts``: ``AlertEngine.feed`` with the ``SnapshotReceived``.

CPU time is what the process used, so the figures hold on a loaded machine better than
wall times do; compare revisions by running them alternately.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.alerts import AlertEngine
from app.api.cluster_reader import ClusterReplyReader
from app.api.models import ClusterSnapshot
from app.history import HistoryStore
from app.monitor import SnapshotReceived
from tests.bench.measure import load_average, machine_description, source_revision
from ui.cluster.columns import Column
from ui.cluster.overview_strip import OverviewStrip
from ui.cluster.server_filter_proxy import ServerFilterProxy
from ui.cluster.server_table_model import ServerTableModel
from ui.rollout.rollout_panel import RolloutPanel

START = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
WARM_UP_POLLS = 5
PIECES = ("decode", "read", "table", "overview", "rollout", "history", "alerts")


def entries(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Server entries as the Management Tool lists them."""
    return [
        {
            "id": f"as-{n:04d}",
            "name": f"EKRAN-AS{n:04d}",
            "address": f"10.0.{n // 250}.{n % 250}",
            "status": "online",
            "clients": rng.randrange(50, 150),
            "version": "9.2.4.1270",
            "isolation": None,
            "last_seen": START.isoformat(),
            "management_url": f"https://10.0.{n // 250}.{n % 250}:8443/EkranSystem",
        }
        for n in range(count)
    ]


def reply_body(servers: list[dict[str, Any]], poll: int, changed: int, rng: random.Random) -> bytes:
    """The reply of poll ``poll``: ``changed`` Clients counts moved, a 30th seen again."""
    for entry in rng.sample(servers, min(changed, len(servers))):
        entry["clients"] = max(0, entry["clients"] + rng.choice((-1, 1)))
    heartbeats = max(1, len(servers) // 30)
    first = (poll * heartbeats) % len(servers)
    for entry in servers[first : first + heartbeats]:
        entry["last_seen"] = (START + timedelta(seconds=poll)).isoformat()
    cluster = {"name": "Bench", "generated_at": (START + timedelta(seconds=poll)).isoformat()}
    return json.dumps({"cluster": cluster, "servers": servers}).encode()


def run(servers: int, polls: int, changed: int) -> dict[str, float]:
    """CPU ms per poll of each piece."""
    rng = random.Random(1)
    listed = entries(servers, rng)
    reader = ClusterReplyReader()
    model = ServerTableModel()
    proxy = ServerFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    strip = OverviewStrip()
    panel = RolloutPanel()
    store = HistoryStore()
    alerts = AlertEngine()
    spent = dict.fromkeys(PIECES, 0.0)
    base = time.time()
    for poll in range(polls + WARM_UP_POLLS):
        body = reply_body(listed, poll, changed, rng)
        marks = [time.process_time()]
        data = json.loads(body)
        marks.append(time.process_time())
        reply = reader.read(data, status=200, url="https://bench.example")
        marks.append(time.process_time())
        snapshot = ClusterSnapshot(
            cluster=reply.cluster,
            servers=reply.servers,
            etag=None,
            received_at=START + timedelta(seconds=poll),
            source_url="https://bench.example",
        )
        if poll == 0:
            panel.show_planning("Bench", snapshot)
        marks.append(time.process_time())
        model.apply_snapshot(snapshot)
        marks.append(time.process_time())
        strip.set_snapshot(snapshot)
        marks.append(time.process_time())
        panel.set_snapshot(snapshot)
        marks.append(time.process_time())
        store.record("bench", snapshot, base + poll)
        marks.append(time.process_time())
        alerts.feed("bench", "Bench", SnapshotReceived(snapshot))
        marks.append(time.process_time())
        if poll < WARM_UP_POLLS:
            continue
        durations = [b - a for a, b in pairwise(marks)]
        del durations[2]  # building the snapshot is not a piece
        for piece, seconds in zip(PIECES, durations, strict=True):
            spent[piece] += seconds
    return {piece: seconds / polls * 1000 for piece, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--polls", type=int, default=40, help="measured polls (default 40)")
    parser.add_argument("--changed", type=int, default=20, help="Clients changes per poll")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    figures = run(args.servers, args.polls, args.changed)
    print(f"machine: {machine_description()}; revision {source_revision()}")
    print(f"{args.servers} servers, {args.changed} Clients changes per poll, {args.polls} polls")
    print(
        " ".join(f"{piece} {ms:.2f}" for piece, ms in figures.items())
        + f"; all {sum(figures.values()):.2f} ms CPU per poll"
    )
    print("load average {:.2f} {:.2f} {:.2f}".format(*load_average()))
    app.quit()


if __name__ == "__main__":
    main()
