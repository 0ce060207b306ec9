"""``ekran-console-cli``: the console's core from a terminal or a script."""

import sys

try:
    from app.cli.main import main
except KeyboardInterrupt:  # Ctrl+C while the command line is still loading: no traceback
    print("Interrupted.", file=sys.stderr)
    raise SystemExit(130) from None

__all__ = ["main"]
