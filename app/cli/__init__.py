"""``ekran-console-cli``: the console's core from a terminal or a script."""

from app.cli.main import main

__all__ = ["main"]
