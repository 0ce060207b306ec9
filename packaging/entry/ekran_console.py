"""Entry script of the frozen ``ekran-console`` executable: the console window."""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
