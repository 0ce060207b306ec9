"""The events journal: every alert-worthy change and the admin's own actions, kept 30 days.

``EventRecord`` is one line of the journal; ``EventStore`` keeps them in
``events.jsonl`` beside the audit trail; ``events_from_alert`` and ``event_from_audit``
turn the alert engine's changes and the audit trail's actions into records;
``write_csv`` exports them.
"""

from app.events.export import csv_cell, write_csv
from app.events.record import (
    EventRecord,
    EventSource,
    event_from_alert,
    event_from_audit,
    merge_newest_first,
)
from app.events.store import RETENTION, EventsNotWrittenError, EventStore

__all__ = [
    "RETENTION",
    "EventRecord",
    "EventSource",
    "EventStore",
    "EventsNotWrittenError",
    "csv_cell",
    "event_from_alert",
    "event_from_audit",
    "merge_newest_first",
    "write_csv",
]
