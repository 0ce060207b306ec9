"""The seam every kind of connection plugs into: ``KindClient`` (what an open
connection's client offers) and ``Capabilities`` (what it can do, each "no" with its
reason).

``ConnectionSession`` opens a saved connection through its kind (``app.kinds.registry``);
the window and the command line ask its ``Capabilities`` and never test which kind it is.
``KindClient`` (and httpx with it) is imported when first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy_exports import lazy_exports
from app.seam.capabilities import (
    Capabilities,
    Capability,
    LoadMeasure,
    LoadSource,
    LoadValues,
    NotSupportedError,
)

if TYPE_CHECKING:
    from app.seam.client import KindClient

__all__ = [
    "Capabilities",
    "Capability",
    "KindClient",
    "LoadMeasure",
    "LoadSource",
    "LoadValues",
    "NotSupportedError",
]


__getattr__ = lazy_exports(globals(), {"KindClient": "app.seam.client"})
