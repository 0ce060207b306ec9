"""Load history: Clients and status per server and poll, in memory and on disk.

``HistoryStore`` keeps the data and answers graph queries with numpy arrays;
``HistoryFeeder`` feeds it from a ``ClusterMonitor``.
"""

from app.history.codes import StatusCode
from app.history.downsample import Series
from app.history.events import EventKind, HistoryEvent
from app.history.feeder import HistoryFeeder
from app.history.store import HistoryStore, OpenedHistory, history_file

__all__ = [
    "EventKind",
    "HistoryEvent",
    "HistoryFeeder",
    "HistoryStore",
    "OpenedHistory",
    "Series",
    "StatusCode",
    "history_file",
]
