"""lazy_exports: a package's deferred names load on first access, once; others fail."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest

from app.lazy_exports import lazy_exports


def test_a_deferred_name_is_imported_on_first_access_and_kept() -> None:
    namespace: dict[str, object] = {"__name__": "pkg"}
    getter = lazy_exports(namespace, {"dedent": "textwrap"})
    value = getter("dedent")
    assert value is sys.modules["textwrap"].dedent
    assert namespace["dedent"] is value  # the module finds it without __getattr__ next time


def test_an_unknown_name_raises_attribute_error_naming_the_package() -> None:
    module = ModuleType("pkg")
    module.__getattr__ = lazy_exports(vars(module), {})  # type: ignore[method-assign]
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'missing'"):
        _ = module.missing
    assert not hasattr(module, "missing")
