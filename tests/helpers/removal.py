"""A ``ConnectionRemoval`` for tests that build a ``ConnectionRepository`` by hand."""

from __future__ import annotations

from app.alerts.settings_store import ALERT_SETTINGS_FILE, AlertSettingsStore
from app.connections import ConnectionStore
from app.credentials import CredentialStore
from app.history import HistoryStore
from app.removal import ConnectionRemoval, OpenHistory


def removal_beside(
    store: ConnectionStore, credentials: CredentialStore, history: HistoryStore | None = None
) -> ConnectionRemoval:
    """The removal the window builds: alert settings next to ``store``'s file, and
    ``history`` (a new in-memory one by default)."""
    alert_settings = AlertSettingsStore(store.path.parent / ALERT_SETTINGS_FILE)
    return ConnectionRemoval(
        store, credentials, alert_settings, OpenHistory(history or HistoryStore())
    )
