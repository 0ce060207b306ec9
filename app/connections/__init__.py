"""Saved connections: the profile model, the file store, and export/import.

The errors, the plain values (``EnvironmentTag``, ``ConnectionKindName``, ``AuthMode``)
and the store are imported with the package; the pydantic model (``ConnectionProfile``,
``TlsOptions``, ``ProxyOptions``) and export/import when first asked for, so that the
window paints before pydantic is loaded (the store reads the file in a worker thread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from app.connections.store import ConnectionStore, LoadResult
from app.connections.values import AuthMode, ConnectionKindName, EnvironmentTag
from app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from app.connections.model import ConnectionProfile, ProxyOptions, TlsOptions
    from app.connections.transfer import ImportResult, export_connections, import_connections

_LATER = {
    "ConnectionProfile": "app.connections.model",
    "ProxyOptions": "app.connections.model",
    "TlsOptions": "app.connections.model",
    "ImportResult": "app.connections.transfer",
    "export_connections": "app.connections.transfer",
    "import_connections": "app.connections.transfer",
}

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


__getattr__ = lazy_exports(globals(), _LATER)
