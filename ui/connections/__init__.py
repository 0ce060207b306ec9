"""The connections pane, the connection dialog, certificate trust and the password prompt.

Each name is imported when first asked for: the pane paints without the dialogs (and
httpx, cryptography and the connection test behind them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from ui.connections.certificate_dialog import CertificateDialog
    from ui.connections.connection_dialog import ConnectionDialog
    from ui.connections.connection_tree_model import (
        ConnectionColumn,
        ConnectionRole,
        ConnectionTreeModel,
    )
    from ui.connections.connections_pane import ConnectionsPane
    from ui.connections.password_prompt import (
        ConnectionPasswordSource,
        PasswordAnswer,
        PasswordPrompt,
        password_source_for,
    )
    from ui.connections.repository import ConnectionRepository

_MODULES = {
    "CertificateDialog": "certificate_dialog",
    "ConnectionColumn": "connection_tree_model",
    "ConnectionDialog": "connection_dialog",
    "ConnectionPasswordSource": "password_prompt",
    "ConnectionRepository": "repository",
    "ConnectionRole": "connection_tree_model",
    "ConnectionTreeModel": "connection_tree_model",
    "ConnectionsPane": "connections_pane",
    "PasswordAnswer": "password_prompt",
    "PasswordPrompt": "password_prompt",
    "password_source_for": "password_prompt",
}

__all__ = [
    "CertificateDialog",
    "ConnectionColumn",
    "ConnectionDialog",
    "ConnectionPasswordSource",
    "ConnectionRepository",
    "ConnectionRole",
    "ConnectionTreeModel",
    "ConnectionsPane",
    "PasswordAnswer",
    "PasswordPrompt",
    "password_source_for",
]


__getattr__ = lazy_exports(globals(), {name: f"{__name__}.{m}" for name, m in _MODULES.items()})
