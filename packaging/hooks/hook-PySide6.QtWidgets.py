"""PyInstaller hook of PySide6.QtWidgets: PyInstaller's own, minus the Qt plugins and translations
that packaging/prune.py leaves out, so that their libraries are never collected either."""

import prune
from PyInstaller.utils.hooks.qt import add_qt6_dependencies

hiddenimports, _binaries, _datas = add_qt6_dependencies(__file__)
binaries = prune.filter_hook_entries(_binaries)
datas = prune.filter_hook_entries(_datas)
