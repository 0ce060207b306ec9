"""Saved connections: the profile model, the file store, and export/import."""

from app.connections.errors import (
    ConnectionStoreError,
    DuplicateProfileError,
    FieldProblem,
    NewerFormatError,
    ProfileNotFoundError,
    ProfileValidationError,
    StoreLockTimeoutError,
    TransferError,
)
from app.connections.model import (
    AuthMode,
    ConnectionKindName,
    ConnectionProfile,
    EnvironmentTag,
    ProxyOptions,
    TlsOptions,
)
from app.connections.store import ConnectionStore, LoadResult
from app.connections.transfer import ImportResult, export_connections, import_connections

__all__ = [
    "AuthMode",
    "ConnectionKindName",
    "ConnectionProfile",
    "ConnectionStore",
    "ConnectionStoreError",
    "DuplicateProfileError",
    "EnvironmentTag",
    "FieldProblem",
    "ImportResult",
    "LoadResult",
    "NewerFormatError",
    "ProfileNotFoundError",
    "ProfileValidationError",
    "ProxyOptions",
    "StoreLockTimeoutError",
    "TlsOptions",
    "TransferError",
    "export_connections",
    "import_connections",
]
