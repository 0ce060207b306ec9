"""Packaging tests: the build definitions (always) and the frozen build (opt-in).

``packaging/`` is not a Python package (its name would shadow PyPA's ``packaging``), so
its modules are imported as top-level modules from that folder, as build.py and the
spec import them. The frozen-build tests need ``EKRAN_PACKAGING_TESTS=1``; they print
what they measured at the end of the run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.packaging.paths import PACKAGING_DIR

if str(PACKAGING_DIR) not in sys.path:
    sys.path.append(str(PACKAGING_DIR))

from tests.helpers.measurements import MEASUREMENTS
from tests.packaging.frozen import FrozenBuild, build_frozen_folder, build_installer
from tests.packaging.tools import ensure_tool


@pytest.fixture(scope="session")
def measurements() -> dict[str, str]:
    """Name -> measured value; shown in the terminal summary."""
    return MEASUREMENTS


@pytest.fixture(scope="session")
def frozen_build(
    tmp_path_factory: pytest.TempPathFactory, measurements: dict[str, str]
) -> FrozenBuild:
    """The frozen folder, built once per session by ``build.py`` into a temporary folder."""
    build = build_frozen_folder(tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("work"))
    measurements["build.py: clean, freeze, prune"] = f"{build.seconds:.1f} s"
    return build


@pytest.fixture(scope="session")
def makensis() -> str:
    """makensis, installed with apt-get when missing and possible; else the test is skipped."""
    found = ensure_tool("makensis", ["nsis"])
    if found is None:
        pytest.skip("makensis is missing and cannot be installed here (needs root and apt-get)")
    return found


@pytest.fixture(scope="session")
def frozen_installer(
    frozen_build: FrozenBuild, makensis: str, measurements: dict[str, str]
) -> Path:
    """The installer compiled by ``build.py`` around the session's frozen folder."""
    installer, seconds = build_installer(frozen_build)
    measurements["build.py: makensis"] = f"{seconds:.1f} s"
    return installer
