"""Alerts tests build Qt widgets (menus, dialogs), so a QApplication must exist; the
window tests here use the main window fixtures of tests/ui/window."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.window.conftest import home, keyring_backend, make_window, settings_file

__all__ = ["home", "keyring_backend", "make_window", "settings_file"]


@pytest.fixture(autouse=True)
def _application(qapp: QApplication) -> QApplication:
    return qapp
