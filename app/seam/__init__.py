"""The seam every kind of connection plugs into: ``KindClient`` (what an open
connection's client offers) and ``Capabilities`` (what it can do, each "no" with its
reason).

``ConnectionSession`` opens a saved connection through its kind (``app.kinds.registry``);
the window and the command line ask its ``Capabilities`` and never test which kind it is.
"""

from app.seam.capabilities import (
    Capabilities,
    Capability,
    LoadMeasure,
    LoadSource,
    LoadValues,
    NotSupportedError,
)
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
