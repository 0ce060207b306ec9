"""Entry script of the frozen ``ekran-console-cli`` executable.

``ekran-console-cli --simulator ARGS...`` runs the bundled cluster simulator with
``ARGS`` (the options of ``python -m simulator``): a frozen build has no Python to run
``-m simulator`` with, so the window's demo starts the simulator through this door. The
option is deliberately absent from the command line's help. Anything else goes to the
command line (``app.cli.main``) unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

SIMULATOR_FLAG = "--simulator"


def run(argv: Sequence[str]) -> int:
    """Dispatch ``argv`` (without the program name) and return the exit code."""
    if list(argv[:1]) == [SIMULATOR_FLAG]:
        from simulator.cli import main as simulator_main

        return simulator_main(list(argv[1:]))
    from app.cli import main as cli_main

    return cli_main(list(argv))


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
