"""What the window's first paint must not wait for: ``import ui.app`` (the composition
root, the main window and everything its first frame shows) leaves these unloaded; they
load right after the first paint or when first used (docs/performance.md, start-up)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers.simulator_process import ROOT

LOADED_AFTER_THE_FIRST_PAINT = (
    "numpy",  # the load history and the sparklines
    "httpx",  # every connection's client, the connection test, downloads
    "cryptography",  # certificates
    "keyring",  # the credential store, looked for off the window's thread
    "pydantic",  # ConnectionProfile (the saved file is parsed in a worker) and the API's models
    "app.api.models",
    "app.rollout",  # the rolling maintenance dock and its controller
    "app.history",
    "app.alerts.engine",  # the alert rules
    "app.session",
    "app.events.store",  # the events journal
    "ui.sessions",
    "ui.connections.connection_dialog",
    "ui.window.preferences_dialog",
    "ui.graphs",  # pyqtgraph
)


def test_the_first_frame_imports_none_of_what_comes_after_it() -> None:
    code = (
        "import json, sys, ui.app; "
        f"print(json.dumps([m for m in {list(LOADED_AFTER_THE_FIRST_PAINT)!r} "
        "if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []
