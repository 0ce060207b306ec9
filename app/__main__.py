"""``python -m app``: open the console window.

The core never imports the window: the window registers itself as the ``gui`` front end
(entry point group ``ekran_console.frontends``) and is found here at run time. Without it
(a core-only install) this says so and points to the command line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

FRONTEND_GROUP = "ekran_console.frontends"


def find_frontend(name: str = "gui") -> Callable[[Sequence[str] | None], int] | None:
    """The registered front end's ``main(argv)``, or None if none is installed."""
    for entry in entry_points(group=FRONTEND_GROUP, name=name):
        try:
            loaded: Callable[[Sequence[str] | None], int] = entry.load()
        except ImportError:
            return None
        return loaded
    return None


def main(argv: Sequence[str] | None = None) -> int:
    frontend = find_frontend()
    if frontend is None:
        print(
            "The console window is not installed; use ekran-console-cli (python -m app.cli).",
            file=sys.stderr,
        )
        return 2
    return frontend(argv)


if __name__ == "__main__":
    raise SystemExit(main())
