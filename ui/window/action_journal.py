"""ActionJournal: isolation changes made from this console, for alerts and load graphs."""

from __future__ import annotations

import time
from collections.abc import Callable

from app.alerts import AlertEngine
from app.history import HistoryStore


def action_text(server_name: str, *, isolate: bool, reason: str | None) -> str:
    """ "EKRAN-AS02 isolated by you: Windows updates" / "… returned to service by you"."""
    if not isolate:
        return f"{server_name} returned to service by you"
    suffix = f": {reason}" if reason else ""
    return f"{server_name} isolated by you{suffix}"


class ActionJournal:
    """Tells the alert engine that a change is this console's own (so its alert says
    "by you"), and marks the change on the load graph once the server accepted it.

    ``clock`` gives the time of the mark (POSIX seconds).
    """

    def __init__(
        self,
        history: HistoryStore | None,
        alerts: AlertEngine | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._history = history
        self._alerts = alerts
        self._clock = clock

    def about_to_change(self, connection_id: str, server_id: str, *, isolate: bool) -> None:
        """Call just before sending the request."""
        if self._alerts is not None:
            self._alerts.note_own_action(connection_id, server_id, isolate=isolate)

    def changed(
        self,
        connection_id: str,
        server_id: str,
        server_name: str,
        *,
        isolate: bool,
        reason: str | None,
    ) -> None:
        """Call once the server accepted the change."""
        if self._history is not None:
            text = action_text(server_name, isolate=isolate, reason=reason)
            self._history.record_action(connection_id, server_id, self._clock(), text)
