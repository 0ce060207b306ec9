"""Where the OpenAPI description of the Management Tool API (``docs/openapi.yaml``) lives."""

from __future__ import annotations

import sys
from pathlib import Path

DOCUMENT = Path("docs") / "openapi.yaml"


def openapi_document_path() -> Path:
    """The path of ``openapi.yaml``: under ``sys._MEIPASS`` in a frozen build, else in the repo.

    The file may be missing; callers check.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / DOCUMENT
    return Path(__file__).resolve().parent.parent / DOCUMENT
