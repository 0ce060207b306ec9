"""PyInstaller hook of pyqtgraph: the contributed hook's (data files, the Qt Designer templates
pyqtgraph imports by name, the multiprocess bootstrap, no other Qt bindings), without the
subpackages the spec excludes (packaging/prune.py)."""

import prune
from PyInstaller.utils.hooks import collect_data_files, collect_submodules
from PyInstaller.utils.hooks.qt import exclude_extraneous_qt_bindings

datas = collect_data_files("pyqtgraph", excludes=["**/examples/*"])
modules = collect_submodules("pyqtgraph", filter=lambda name: not prune.is_unused_module(name))
hiddenimports = [name for name in modules if "Template" in name]
hiddenimports += ["pyqtgraph.multiprocess.bootstrap"]
excludedimports = exclude_extraneous_qt_bindings(hook_name="hook-pyqtgraph", qt_bindings_order=None)
