"""``python -m ui``: open the console window."""

from ui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
