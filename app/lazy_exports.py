"""Package names imported when first asked for, so that importing a package stays cheap."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(namespace: dict[str, Any], later: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for the package whose ``globals()`` is ``namespace``.

    ``later`` maps each deferred name to the full name of the module that defines it; the
    first access imports that module and keeps the value in ``namespace`` (so it is looked
    up once). Any other name raises ``AttributeError`` as a module does.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> object:
        module = later.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
