"""The tests the Windows lane leaves out, each because of Wine, not Windows.

Keys are pytest node ids (as ``--deselect`` takes them); values say why the test cannot
pass under Wine 8.0 although it would on Windows. A test that fails on the Windows
Python for a reason real Windows shares is a bug to fix, never an entry here.
"""

from __future__ import annotations

WINE_EXCLUSIONS: dict[str, str] = {}
