"""PyInstaller hook of pydantic: the contributed hook's (every submodule, as pydantic imports
them lazily), without the subpackages the spec excludes (packaging/prune.py)."""

import prune
from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("pydantic", filter=lambda name: not prune.is_unused_module(name))
