"""The connections pane, the connection dialog, certificate trust and the password prompt."""

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
