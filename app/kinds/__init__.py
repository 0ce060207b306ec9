"""Kinds of connection behind one seam (see ``app.kinds.registry``).

``ConnectionSession`` opens a saved connection through its kind; the window and the
command line ask its ``Capabilities`` (``app.kinds.capabilities``) and never test
which kind it is.
"""

from app.kinds.capabilities import (
    Capabilities,
    Capability,
    LoadMeasure,
    NotSupportedError,
)
from app.kinds.client import KindClient

__all__ = ["Capabilities", "Capability", "KindClient", "LoadMeasure", "NotSupportedError"]
