"""Parts of the main window: action rules, server operations, pending changes, status bar."""
