"""The events tests use the main window fixtures of tests/ui/window."""

from __future__ import annotations

from tests.ui.window.conftest import home, keyring_backend, make_window, settings_file

__all__ = ["home", "keyring_backend", "make_window", "settings_file"]
